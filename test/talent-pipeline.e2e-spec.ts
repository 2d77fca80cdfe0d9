import { accessTokenFor, account, cohort, forkEm, organisation, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

interface Row {
  kind: string;
  recipient_email: string;
  data: Record<string, unknown>;
}

describe('talent pipeline, from nomination to appointment (e2e)', () => {
  let api: TestApi;
  let leadToken: string;
  let lead: Awaited<ReturnType<typeof account>>;
  let sys: Awaited<ReturnType<typeof system>>;
  let org: Awaited<ReturnType<typeof organisation>>;
  let target: Awaited<ReturnType<typeof cohort>>;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    sys = await system(em);
    org = await organisation(em, sys, 'community_trust');
    lead = await account(em, { roles: ['programme_lead'], systems: [sys], organisation: org });
    leadToken = accessTokenFor(api, lead);
    target = await cohort(em, await programme(em, sys, { title: 'Leading Neighbourhood Health' }), { capacity: 1 });
  });

  afterAll(async () => {
    await api.close();
  });

  const asLead = () => ({ Authorization: `Bearer ${leadToken}` });
  const outbox = (subjectId: string) => forkEm(api).getConnection().execute<Row[]>(`select kind, recipient_email, data from notification where subject_id = ? order by created_at, kind`, [subjectId]);
  const stageOf = async (personId: string) => (await api.http().get(`/api/v1/people/${personId}/pipeline`).set(asLead()).expect(200)).body as { stage: string | null; history: { stage: string }[] };

  it('takes a nurse with no account from nomination by email to appointment, one stage at a time', async () => {
    // Someone else takes the only seat, so the nominee is waitlisted when accepted.
    const seatHolder = await account(forkEm(api), { organisation: org });
    await api.http().post(`/api/v1/cohorts/${target.id}/enrolments`).set('Authorization', `Bearer ${accessTokenFor(api, seatHolder)}`).send({}).expect(201);

    const created = await api
      .http()
      .post('/api/v1/nominations')
      .set(asLead())
      .send({
        nominee: { email: 'Asha.Patel@community.nhs.example', givenName: 'Asha', familyName: 'Patel', organisationId: org.id },
        cohortId: target.id,
        readiness: 'ready_now',
        performance: 3,
        potential: 3,
        rationale: 'Led the discharge-to-assess pilot across three organisations.',
      })
      .expect(201);
    const nomination = created.body as { id: string; status: string; nominee: { id: string }; talentGrid: object; history: { to: string }[] };
    expect(nomination.status).toBe('awaiting_consent');
    expect(nomination.talentGrid).toEqual({ performance: 3, potential: 3 });
    expect(nomination.history.map((e) => e.to)).toEqual(['submitted', 'awaiting_consent']);
    const nomineeId = nomination.nominee.id;
    expect(await stageOf(nomineeId)).toMatchObject({ stage: 'identified' });

    const [request] = await outbox(nomination.id);
    expect(request).toMatchObject({ kind: 'nomination_consent_request', recipient_email: 'Asha.Patel@community.nhs.example' });
    const token = request!.data.consentToken as string;
    expect(request!.data.consentUrl).toContain(encodeURIComponent(token));

    const consent = await api.http().post('/api/v1/nominations/consent').send({ token, decision: 'consent' }).expect(200);
    expect(consent.body.nomination.status).toBe('consented');
    expect(consent.body.nomination.talentGrid).toBeUndefined();
    expect(consent.body).toMatchObject({ invitationSent: true });
    expect(consent.body).not.toHaveProperty('invitationToken');
    // The nominee (known only by email) is emailed the invitation to set up an account.
    const [invitation] = await forkEm(api).getConnection().execute<Row[]>(`select kind, recipient_email, data from notification where kind = 'account_invitation' and recipient_person_id = ?`, [nomineeId]);
    expect(invitation).toMatchObject({ recipient_email: 'Asha.Patel@community.nhs.example' });
    const invitationToken = new URL(invitation!.data.acceptUrl as string).searchParams.get('token');
    expect(await stageOf(nomineeId)).toMatchObject({ stage: 'nominated' });
    // The link works once.
    expect((await api.http().post('/api/v1/nominations/consent').send({ token, decision: 'consent' })).status).toBe(400);

    // The nominee sets up an account from the invitation and sees their nomination (without the grid).
    await api.http().post('/api/v1/auth/accept-invitation').send({ token: invitationToken, password: 'a long enough password' }).expect(201);
    const login = await api.http().post('/api/v1/auth/login').send({ email: 'asha.patel@community.nhs.example', password: 'a long enough password' }).expect(200);
    const mine = await api.http().get('/api/v1/me/nominations').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ id: nomination.id, status: 'consented' })]);
    expect(mine.body.items[0].talentGrid).toBeUndefined();

    const accepted = await api.http().post(`/api/v1/nominations/${nomination.id}/accept`).set(asLead()).expect(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', enrolmentId: expect.any(String) });
    const enrolment = await api.http().get(`/api/v1/enrolments/${accepted.body.enrolmentId}`).set(asLead()).expect(200);
    expect(enrolment.body).toMatchObject({ status: 'waitlisted', waitlistPosition: 1, source: 'nomination' });
    expect(await stageOf(nomineeId)).toMatchObject({ stage: 'nominated' });

    // The seat frees up: the nominee is promoted and is now in development.
    const seat = await api.http().get(`/api/v1/cohorts/${target.id}/enrolments?status=enrolled`).set(asLead()).expect(200);
    await api.http().post(`/api/v1/enrolments/${seat.body.items[0].id}/withdraw`).set(asLead()).expect(200);
    expect(await stageOf(nomineeId)).toMatchObject({ stage: 'in_development' });
    // The nomination follows: its nominee now has a seat.
    expect((await api.http().get(`/api/v1/nominations/${nomination.id}`).set(asLead()).expect(200)).body.status).toBe('enrolled');

    await api.http().post(`/api/v1/enrolments/${accepted.body.enrolmentId}/complete`).set(asLead()).send({ outcome: 'completed' }).expect(200);
    // Rated ready now when nominated, and now completed: ready.
    const ready = await stageOf(nomineeId);
    expect(ready.stage).toBe('ready');
    expect(ready.history.map((h) => h.stage)).toEqual(['identified', 'nominated', 'in_development', 'completed', 'ready']);

    await api.http().post(`/api/v1/people/${nomineeId}/appointments`).set(asLead()).send({ post: 'Neighbourhood Health Lead', organisationId: org.id, appointedOn: '2027-09-01' }).expect(201);
    const appointed = await stageOf(nomineeId);
    expect(appointed.stage).toBe('appointed');
    expect(appointed.history.at(-1)).toMatchObject({ stage: 'appointed', at: '2027-09-01T00:00:00.000Z' });

    const history = (await api.http().get(`/api/v1/nominations/${nomination.id}`).set(asLead()).expect(200)).body.history as { from: string | null; to: string; actorRole: string }[];
    expect(history.map((e) => [e.from, e.to, e.actorRole])).toEqual([
      [null, 'submitted', 'nominator'],
      ['submitted', 'awaiting_consent', 'nominator'],
      ['awaiting_consent', 'consented', 'nominee'],
      ['consented', 'accepted', 'lead'],
      ['accepted', 'enrolled', 'system'],
    ]);
    const kinds = (await outbox(nomination.id)).map((r) => `${r.kind} → ${r.recipient_email.toLowerCase()}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'nomination_consent_request → asha.patel@community.nhs.example',
        `nomination_consented → ${lead.email.toLowerCase()}`,
        'nomination_accepted → asha.patel@community.nhs.example',
        `nomination_accepted → ${lead.email.toLowerCase()}`,
      ]),
    );
    expect(kinds).toHaveLength(4);
  });
});
