import { ReferenceKind } from '@mikro-orm/core';
import { RetentionService } from '@slp/data-rights';
import type { Organisation, System } from '@slp/directory';
import type { Cohort } from '@slp/learning';
import { PersonalDataRegistry } from '@slp/platform';
import { auditRows, expectProblem } from './support/assertions';
import { staffAccounts, twoSystems } from './support/callers';
import { accessTokenFor, account, AccountFixture, cohort, forkEm, programme } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';
import { binaryParser, zipOf } from './support/zip-reader';

/** A name and address found nowhere else in the database, so a search for them finds only this person. */
const GIVEN = 'Zephyrine';
const FAMILY = 'Quillfeather';

/**
 * Entities with a person reference or a personal-looking field that are deliberately in no area,
 * each with the reason it was reviewed and kept. Empty today: every such entity has an area.
 */
const REVIEWED_WITHOUT_AREA: ReadonlyMap<string, string> = new Map([]);

/** Fields that hold personal data, or point at a person or account, wherever they appear. */
const PERSONAL_FIELD = /email|givenName|familyName|recipientName|personId|AccountId$|jobTitle|profession|rationale|reason|^post$/i;

describe('data rights: subject access export, erasure and retention (e2e)', () => {
  let api: TestApi;
  let systemA: System;
  let orgA: Organisation;
  let orgB: Organisation;
  let nationalAdmin: AccountFixture;
  let adminA: AccountFixture;
  let leadA: AccountFixture;
  let adminB: AccountFixture;
  let bystander: AccountFixture;
  let subject: AccountFixture;
  let waiter: AccountFixture;
  let managed: AccountFixture;
  let fullCohort: Cohort;
  let subjectEnrolmentId: string;
  let waiterEnrolmentId: string;
  let nominationId: string;
  let refreshToken: string;
  let lineManagerEmail: string;

  const auth = (as: { account: AccountFixture['account'] }) => ({ Authorization: `Bearer ${accessTokenFor(api, as)}` });
  const get = (path: string, as: { account: AccountFixture['account'] }) => api.http().get(`/api/v1${path}`).set(auth(as));
  const post = (path: string, as: { account: AccountFixture['account'] }, body: object = {}) => api.http().post(`/api/v1${path}`).set(auth(as)).send(body);
  const put = (path: string, as: { account: AccountFixture['account'] }, body: object) => api.http().put(`/api/v1${path}`).set(auth(as)).send(body);
  const download = (path: string, as: { account: AccountFixture['account'] }) => get(path, as).buffer(true).parse(binaryParser);
  const sql = <T extends object>(query: string, params: unknown[] = []) => forkEm(api).getConnection().execute<T[]>(query, params);

  /** Every stage count of the pipeline summary that every report reads, and the equality population. */
  const reportCounts = async () => {
    const [pipeline] = await sql<Record<string, string>>(
      `select count(*) as people, count(identified_at) as identified, count(nominated_at) as nominated, count(in_development_at) as in_development,
              count(completed_at) as completed, count(ready_at) as ready, count(appointed_at) as appointed from person_pipeline`,
    );
    const [cohortSeats] = await sql<{ seats: number; enrolments: string }>(`select c.seats_taken as seats, (select count(*) from enrolment e where e.cohort_id = c.id) as enrolments from cohort c where c.id = ?`, [fullCohort.id]);
    return { pipeline, cohortSeats };
  };

  /** Table and column of every text, varchar, citext, array or JSON column in the schema holding `needle`. */
  async function columnsContaining(needle: string): Promise<string[]> {
    const columns = await sql<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY') or c.udt_name = 'citext')
        order by 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(30);
    const found: string[] = [];
    for (const { table_name, column_name } of columns) {
      const [row] = await sql<{ n: string }>(`select count(*) as n from "${table_name}" where "${column_name}"::text ilike ?`, [`%${needle}%`]);
      if (Number(row!.n) > 0) found.push(`${table_name}.${column_name}`);
    }
    return found;
  }

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    const systems = await twoSystems(em);
    ({ systemA, orgA, orgB } = systems);
    ({ nationalAdmin, adminA, leadA } = await staffAccounts(em, systems));
    adminB = await account(em, { roles: ['admin'], systems: [systems.systemB], organisation: orgB });
    bystander = await account(em, { organisation: orgA });
    waiter = await account(em, { organisation: orgA });
    const email = `${GIVEN}.${FAMILY}.${Date.now()}@nhs.example`.toLowerCase();
    lineManagerEmail = `line.manager.${Date.now()}@nhs.example`;
    subject = await account(em, { organisation: orgA, email });
    await sql(`update person set given_name = ?, family_name = ?, job_title = ?, profession = ?, line_manager_email = ? where id = ?`, [GIVEN, FAMILY, `Lead nurse (${FAMILY} team)`, 'nursing', lineManagerEmail, subject.person.id]);
    // Someone whose line manager the subject is: their record names the subject's address.
    managed = await account(em, { organisation: orgA });
    await sql(`update person set line_manager_email = ? where id = ?`, [email, managed.person.id]);
    // A single sign-on identity that signs in as the subject.
    await sql(`insert into identity_link (id, account_id, provider, issuer, subject, tenant, created_at, last_used_at) values (gen_random_uuid(), ?, 'cis2', 'https://idp.example', 'cis2-subject-1', null, now(), now())`, [subject.account.id]);

    // Equality monitoring, consented.
    await put('/me/equality', subject, { consent: true, ethnicity: 'H', sex: 'female', disability: 'no' }).expect(200);

    // A full cohort: the subject holds its one seat, someone waits.
    const programmeA = await programme(em, systemA);
    fullCohort = await cohort(em, programmeA, { capacity: 1 });
    subjectEnrolmentId = ((await post(`/cohorts/${fullCohort.id}/enrolments`, subject).expect(201)).body as { id: string; status: string }).id;
    const waiting = (await post(`/cohorts/${fullCohort.id}/enrolments`, waiter).expect(201)).body as { id: string; status: string };
    expect(waiting.status).toBe('waitlisted');
    waiterEnrolmentId = waiting.id;

    // Attendance at an earlier session of the cohort.
    const [session] = await sql<{ id: string }>(
      `insert into session (id, cohort_id, title, kind, starts_at, ends_at, status, sequence, created_at, updated_at)
       values (gen_random_uuid(), ?, 'Systems thinking', 'workshop', now() - interval '2 days', now() - interval '2 days' + interval '3 hours', 'scheduled', 0, now(), now()) returning id`,
      [fullCohort.id],
    );
    await sql(`insert into attendance (session_id, enrolment_id, status, recorded_by_account_id, recorded_at) values (?, ?, 'present', ?, now())`, [session!.id, subjectEnrolmentId, leadA.account.id]);

    // A nomination with ratings, consented by the subject (telling their line manager), and an appointment.
    const nomination = await post('/nominations', leadA, {
      nominee: { personId: subject.person.id },
      programmeId: programmeA.id,
      readiness: 'ready_now',
      performance: 3,
      potential: 2,
      rationale: `${GIVEN} led the frailty pathway redesign.`,
    }).expect(201);
    nominationId = (nomination.body as { id: string }).id;
    await post(`/nominations/${nominationId}/consent`, subject, { decision: 'consent', notifyLineManager: true }).expect(200);
    await post(`/people/${subject.person.id}/appointments`, adminA, { post: 'Director of Nursing', organisationId: orgA.id, appointedOn: '2026-06-01' }).expect(201);

    // A sign-in session.
    refreshToken = ((await api.http().post('/api/v1/auth/login').send({ email, password: subject.password }).expect(200)).body as { refreshToken: string }).refreshToken;
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('the personal-data registry', () => {
    it('has an exporter and eraser for every entity with a person reference or personal fields', () => {
      const registry = api.app.get(PersonalDataRegistry);
      const uncovered: string[] = [];
      for (const meta of api.orm.getMetadata().getAll().values()) {
        if (meta.embeddable || meta.virtual) continue;
        const personal = meta.props.filter(
          (prop) => (prop.kind !== ReferenceKind.SCALAR && ['Person', 'Account'].includes(prop.targetMeta?.className ?? prop.type)) || (prop.kind === ReferenceKind.SCALAR && PERSONAL_FIELD.test(prop.name)),
        );
        if (!personal.length || REVIEWED_WITHOUT_AREA.has(meta.className)) continue;
        if (!registry.areaOf(meta.class)) uncovered.push(`${meta.className} (${personal.map((prop) => prop.name).join(', ')})`);
      }
      expect(uncovered).toEqual([]);
    });

    it('has an area for the person, their account, equality monitoring, enrolments, nominations, emails and the audit log', () => {
      const names = api.app.get(PersonalDataRegistry).areas.map((area) => area.name).sort();
      expect(names).toEqual(['account', 'audit-log', 'emails', 'enrolments', 'equality-monitoring', 'identity-links', 'neighbourhood-health', 'nominations', 'person']);
    });
  });

  describe('export', () => {
    it('gives the person a ZIP of every area, with a README, that is never cached', async () => {
      const response = await download('/me/data-export', subject).expect(200);

      expect(response.headers['content-type']).toBe('application/zip');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="personal-data-${subject.person.id}.zip"`);
      expect(response.headers['cache-control']).toBe('no-store');
      const files = await zipOf(response);
      expect([...files.keys()].sort()).toEqual(['README.txt', 'account.json', 'audit-log.json', 'emails.json', 'enrolments.json', 'equality-monitoring.json', 'identity-links.json', 'neighbourhood-health.json', 'nominations.json', 'person.json']);
      const json = (name: string) => JSON.parse(files.get(name)!) as Record<string, any>;

      expect(files.get('README.txt')).toContain('nominations.json');
      expect(files.get('README.txt')).toContain('If you are erased');
      expect(json('person.json')).toMatchObject({ id: subject.person.id, email: subject.email, givenName: GIVEN, familyName: FAMILY, jobTitle: `Lead nurse (${FAMILY} team)`, organisation: { id: orgA.id } });
      expect(json('account.json')).toMatchObject({ account: { id: subject.account.id, roles: ['participant'], hasPassword: true } });
      expect(json('account.json').signInSessions).toHaveLength(1);
      expect(json('equality-monitoring.json')).toMatchObject({ ethnicity: 'H', sex: 'female', disability: 'no' });
      expect(json('identity-links.json')).toEqual([{ provider: 'cis2', issuer: 'https://idp.example', subject: 'cis2-subject-1', tenant: null, createdAt: expect.any(String), lastUsedAt: expect.any(String) }]);

      const [enrolment] = json('enrolments.json') as any[];
      expect(enrolment).toMatchObject({ id: subjectEnrolmentId, status: 'enrolled', cohort: { id: fullCohort.id }, attendance: [{ session: { title: 'Systems thinking' }, status: 'present' }] });

      const talent = json('nominations.json');
      expect(talent.nominations).toEqual([
        expect.objectContaining({ id: nominationId, status: 'consented', performance: 3, potential: 2, readiness: 'ready_now', rationale: `${GIVEN} led the frailty pathway redesign.`, lineManagerNotified: true }),
      ]);
      expect(talent.nominations[0].history.map((event: { to: string }) => event.to)).toEqual(['submitted', 'awaiting_consent', 'consented']);
      expect(talent.appointments).toEqual([expect.objectContaining({ post: 'Director of Nursing', appointedOn: '2026-06-01' })]);

      const emails = json('emails.json').emails as { kind: string; to: string; data: Record<string, unknown> }[];
      expect(emails.map((email) => email.kind)).toEqual(expect.arrayContaining(['enrolment_confirmed', 'nomination_consent_request']));
      const consentRequest = emails.find((email) => email.kind === 'nomination_consent_request')!;
      expect(consentRequest.data).not.toHaveProperty('consentToken');
      expect(consentRequest.data).not.toHaveProperty('consentUrl');

      const audit = json('audit-log.json') as { action: string; actor: string; objectId: string | null }[];
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'equality_monitoring.put', actor: 'you' }),
          expect.objectContaining({ action: 'enrolment.create', objectId: subjectEnrolmentId, actor: 'you' }),
          expect.objectContaining({ action: 'nomination.create', objectId: nominationId, actor: 'staff' }),
          expect.objectContaining({ action: 'appointment.create', actor: 'staff' }),
          expect.objectContaining({ action: 'account.login', actor: 'you' }),
        ]),
      );
      // No password hash, token hash or other account's id anywhere in the archive.
      const everything = [...files.values()].join('\n');
      expect(everything).not.toMatch(/\$argon2/);
      expect(everything).not.toContain(leadA.account.id);
      const [hashes] = await sql<{ token_hash: string; consent: string | null }>(`select t.token_hash, (select consent_token_hash from nomination where id = ?) as consent from refresh_token t where t.account_id = ?`, [nominationId, subject.account.id]);
      expect(everything).not.toContain(hashes!.token_hash);
    });

    it('exports a long history in under 2 seconds', async () => {
      const em = forkEm(api);
      const veteran = await account(em, { organisation: orgA });
      const programmeId = (await programme(em, systemA)).id;
      const person = veteran.person.id;
      // 200 cohorts of 5 sessions, attended; 50 decided nominations with their history; 2,000 emails; 5,000 audit entries.
      await sql(
        `with c as (insert into cohort (id, programme_id, name, capacity, seats_taken, waitlist_tickets, enrolment_opens_at, enrolment_closes_at, starts_at, ends_at, status, created_at, updated_at)
                    select gen_random_uuid(), ?, 'Cohort ' || i, 20, 0, 0, now() - interval '2 years', now() - interval '1 year', now() - interval '1 year', now(), 'completed', now(), now() from generate_series(1, 200) i returning id),
              e as (insert into enrolment (id, cohort_id, person_id, status, source, created_at, updated_at, enrolled_at, ended_at)
                    select gen_random_uuid(), c.id, ?, 'completed', 'self', now(), now(), now(), now() from c returning id, cohort_id),
              s as (insert into session (id, cohort_id, title, kind, starts_at, ends_at, status, sequence, created_at, updated_at)
                    select gen_random_uuid(), c.id, 'Session ' || i, 'workshop', now() - interval '1 day', now(), 'scheduled', 0, now(), now() from c, generate_series(1, 5) i returning id, cohort_id)
         insert into attendance (session_id, enrolment_id, status, recorded_by_account_id, recorded_at) select s.id, e.id, 'present', ?, now() from s join e on e.cohort_id = s.cohort_id`,
        [programmeId, person, leadA.account.id],
      );
      await sql(
        `with n as (insert into nomination (id, nominee_id, nominator_account_id, nominator_id, programme_id, target_system_id, status, readiness, performance, potential, rationale, created_at, updated_at)
                    select gen_random_uuid(), ?, ?, ?, ?, ?, 'rejected', 'ready_now', 2, 2, 'Rationale ' || i, now(), now() from generate_series(1, 50) i returning id)
         insert into nomination_event (id, nomination_id, from_status, to_status, actor_role, at) select gen_random_uuid(), n.id, null, 'submitted', 'nominator', now() from n, generate_series(1, 4)`,
        [person, leadA.account.id, leadA.person.id, programmeId, systemA.id],
      );
      await sql(
        `insert into notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at, sent_at)
         select gen_random_uuid(), 'session_reminder_24h', ?, ?, 'Test', 'session', gen_random_uuid(), '{"givenName":"Test","cohortName":"Cohort"}', 'perf:' || i || ':' || ?, 'sent', 1, now(), now() from generate_series(1, 2000) i`,
        [person, veteran.email, person],
      );
      await sql(`insert into audit_log (actor_account_id, action, object_type, object_id, details) select ?, 'account.login', 'account', ?, null from generate_series(1, 5000)`, [veteran.account.id, veteran.account.id]);

      const started = performance.now();
      const response = await download('/me/data-export', veteran).expect(200);
      const elapsed = performance.now() - started;

      const files = await zipOf(response);
      expect(JSON.parse(files.get('enrolments.json')!)).toHaveLength(200);
      expect((JSON.parse(files.get('emails.json')!) as { emails: unknown[] }).emails).toHaveLength(2000);
      expect((JSON.parse(files.get('audit-log.json')!) as unknown[]).length).toBeGreaterThanOrEqual(5000);
      expect(elapsed).toBeLessThan(2000);
    });

    it('is audited, without personal data', async () => {
      const exports = await auditRows(api, { action: 'person.data_export', objectId: subject.person.id });
      expect(exports.length).toBeGreaterThanOrEqual(1);
      expect(exports[0]).toMatchObject({ actor_account_id: subject.account.id, object_type: 'person' });
      expect(JSON.stringify(exports)).not.toContain(subject.email);
    });

    it('lets an admin of the person’s system export it, and a national admin', async () => {
      for (const caller of [adminA, nationalAdmin]) {
        const files = await zipOf(await download(`/people/${subject.person.id}/data-export`, caller).expect(200));
        expect(JSON.parse(files.get('person.json')!)).toMatchObject({ email: subject.email });
      }
    });

    it('answers 404 to another participant and to another system’s admin, and 403 to a lead who sees the person', async () => {
      expectProblem(await get(`/people/${subject.person.id}/data-export`, bystander), 404);
      expectProblem(await get(`/people/${subject.person.id}/data-export`, adminB), 404);
      expectProblem(await get(`/people/${subject.person.id}/data-export`, leadA), 403);
      expectProblem(await get(`/people/00000000-0000-4000-8000-000000000000/data-export`, nationalAdmin), 404);
    });
  });

  describe('erasure', () => {
    it('is for national admins only, refuses a missing reason, and changes nothing when refused', async () => {
      const path = `/people/${subject.person.id}/erasure`;
      expectProblem(await post(path, adminA, { reason: 'asked' }), 403);
      expectProblem(await post(path, leadA, { reason: 'asked' }), 403);
      expectProblem(await post(path, adminB, { reason: 'asked' }), 404);
      expectProblem(await post(path, bystander, { reason: 'asked' }), 404);
      expectProblem(await post(path, nationalAdmin, {}), 400, ['reason']);
      expectProblem(await post(path, nationalAdmin, { reason: 'asked', extra: true }), 400);
      const [person] = await sql<{ erased_at: Date | null; email: string }>(`select erased_at, email from person where id = ?`, [subject.person.id]);
      expect(person).toEqual({ erased_at: null, email: subject.email });
    });

    it('erases the person: no trace of the name or email, sign-in refused, the waiting list moves, report counts stay', async () => {
      const before = await reportCounts();
      const [pipelineBefore] = await sql(`select identified_at, nominated_at, in_development_at, completed_at, appointed_at, staff_group, grade, organisation_id from person_pipeline where person_id = ?`, [subject.person.id]);
      const token = accessTokenFor(api, subject);

      const response = await post(`/people/${subject.person.id}/erasure`, nationalAdmin, { reason: `Request from ${GIVEN} ${FAMILY} (${subject.email}) under article 17, ref IG-2291` }).expect(200);
      expect(response.body).toEqual({ erasedAt: expect.any(String) });

      // Sign-in, refresh and a token issued before are all refused.
      expectProblem(await api.http().post('/api/v1/auth/login').send({ email: subject.email, password: subject.password }), 401);
      expect((await api.http().post('/api/v1/auth/refresh').send({ refreshToken })).status).toBe(401);
      expect((await api.http().get('/api/v1/me').set({ Authorization: `Bearer ${token}` })).status).toBe(401);

      // The seat went to the person waiting, through the ordinary withdrawal.
      const [enrolments] = await sql<{ mine: string; theirs: string; reason: string | null }>(
        `select (select status from enrolment where id = ?) as mine, (select end_reason from enrolment where id = ?) as reason, (select status from enrolment where id = ?) as theirs`,
        [subjectEnrolmentId, subjectEnrolmentId, waiterEnrolmentId],
      );
      expect(enrolments).toEqual({ mine: 'withdrawn', reason: 'person_erased', theirs: 'enrolled' });
      const promoted = await sql<{ kind: string }>(`select kind from notification where recipient_person_id = ? and subject_id = ?`, [waiter.person.id, waiterEnrolmentId]);
      expect(promoted.map((row) => row.kind)).toContain('promoted_from_waitlist');

      // Every report reads the same counts (the person is an anonymous row, not a missing one);
      // the only change is the person promoted from the waiting list, now in development too.
      const after = await reportCounts();
      expect(after).toEqual({ ...before, pipeline: { ...before.pipeline, in_development: String(Number(before.pipeline!.in_development) + 1) } });
      const [row] = await sql<{ ethnicity: string | null; system_id: string; stage: string }>(`select ethnicity, system_id, stage from person_pipeline where person_id = ?`, [subject.person.id]);
      expect(row).toEqual({ ethnicity: null, system_id: systemA.id, stage: 'appointed' });
      expect(await sql(`select identified_at, nominated_at, in_development_at, completed_at, appointed_at, staff_group, grade, organisation_id from person_pipeline where person_id = ?`, [subject.person.id])).toEqual([pipelineBefore]);

      // Nothing left that names them, in any text or JSON column of any table.
      expect(await columnsContaining(subject.email)).toEqual([]);
      expect(await columnsContaining(GIVEN)).toEqual([]);
      expect(await columnsContaining(FAMILY)).toEqual([]);
      // Their record no longer names their line manager; the notice the manager was sent no longer names them.
      expect(await columnsContaining(lineManagerEmail)).toEqual(['notification.dedupe_key', 'notification.recipient_email', 'notification.recipient_name']);

      const [counts] = await sql<Record<string, string>>(
        `select (select count(*) from account where person_id = ?) as accounts, (select count(*) from equality_monitoring where person_id = ?) as equality,
                (select count(*) from notification where recipient_person_id = ? and status in ('pending', 'queued', 'failed')) as pending,
                (select count(*) from notification where recipient_person_id = ? and data <> '{}'::jsonb) as payloads,
                (select status from nomination where id = ?) as nomination`,
        [subject.person.id, subject.person.id, subject.person.id, subject.person.id, nominationId],
      );
      expect(counts).toEqual({ accounts: '0', equality: '0', pending: '0', payloads: '0', nomination: 'withdrawn' });

      // The audit log has the fact, the actor and the reason, without the name or email.
      const [entry, ...more] = await auditRows(api, { action: 'person.erase', objectId: subject.person.id });
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ actor_account_id: nationalAdmin.account.id, object_type: 'person' });
      expect(entry!.details).toMatchObject({ reason: 'Request from [the person] ([the person]) under article 17, ref IG-2291', effects: { enrolments: { enrolmentsWithdrawn: 1 }, account: { accounts: 1 }, 'equality-monitoring': { equalityMonitoring: 1 }, 'identity-links': { identityLinks: 1 } } });
      expect(await sql(`select id from identity_link where subject = 'cis2-subject-1'`)).toEqual([]);
    });

    it('is idempotent: asking again answers with the same time and changes nothing', async () => {
      const [first] = await sql<{ erased_at: Date }>(`select erased_at from person where id = ?`, [subject.person.id]);
      const auditBefore = await sql<{ n: string }>(`select count(*) as n from audit_log`);

      const again = await post(`/people/${subject.person.id}/erasure`, nationalAdmin, { reason: 'asked twice' }).expect(200);

      expect(again.body).toEqual({ erasedAt: new Date(first!.erased_at).toISOString() });
      expect(await sql<{ n: string }>(`select count(*) as n from audit_log`)).toEqual(auditBefore);
      expect(await auditRows(api, { action: 'person.erase', objectId: subject.person.id })).toHaveLength(1);
    });

    it('erases once when two admins ask at the same moment', async () => {
      const other = await account(forkEm(api), { organisation: orgA });
      const secondAdmin = await account(forkEm(api), { roles: ['admin'] });
      const [a, b] = await Promise.all([
        post(`/people/${other.person.id}/erasure`, nationalAdmin, { reason: 'request' }),
        post(`/people/${other.person.id}/erasure`, secondAdmin, { reason: 'request' }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body).toEqual(b.body);
      expect(await auditRows(api, { action: 'person.erase', objectId: other.person.id })).toHaveLength(1);
    });

    it('refuses to write names back onto the erased record', async () => {
      const response = await api.http().patch(`/api/v1/people/${subject.person.id}`).set(auth(adminA)).send({ givenName: GIVEN });
      expectProblem(response, 409);
      expect(await columnsContaining(GIVEN)).toEqual([]);
    });

    it('leaves no one to enrol or nominate: the erased person is not found', async () => {
      const em = forkEm(api);
      const open = await cohort(em, await programme(em, systemA));
      expectProblem(await post(`/cohorts/${open.id}/enrolments`, leadA, { personId: subject.person.id }), 404);
      const nomination = await post('/nominations', leadA, { nominee: { personId: subject.person.id }, cohortId: open.id, readiness: 'ready_now', performance: 2, potential: 2, rationale: 'Again' });
      expectProblem(nomination, 400, ['nominee.personId']);
    });

    it('leaves the other person’s record without the erased line manager’s address', async () => {
      const [row] = await sql<{ line_manager_email: string | null }>(`select line_manager_email from person where id = ?`, [managed.person.id]);
      expect(row!.line_manager_email).toBeNull();
    });
  });

  describe('retention', () => {
    it('previews the next run to national admins only', async () => {
      expectProblem(await get('/admin/retention', adminA), 403);
      expectProblem(await get('/admin/retention', bystander), 403);
      const preview = await get('/admin/retention', nationalAdmin).expect(200);
      expect(preview.body).toMatchObject({ inactiveYears: 6, notificationPayloadDays: 90, people: { count: expect.any(Number), ids: expect.any(Array) }, emailPayloads: { count: expect.any(Number) } });
    });

    it('erases people inactive for six years once, however often it runs, and clears old email payloads', async () => {
      const em = forkEm(api);
      const old = await account(em, { organisation: orgA });
      const oldButSignedIn = await account(em, { organisation: orgA });
      const years = (n: number) => `now() - interval '${n} years'`;
      await sql(`update person set created_at = ${years(7)}, updated_at = ${years(7)} where id in (?, ?)`, [old.person.id, oldButSignedIn.person.id]);
      await sql(`update account set created_at = ${years(7)}, last_login_at = ${years(7)} where person_id = ?`, [old.person.id]);
      await sql(`update account set created_at = ${years(7)}, last_login_at = ${years(1)} where person_id = ?`, [oldButSignedIn.person.id]);
      // An old enrolment in the full cohort, finished long ago.
      await sql(`insert into enrolment (id, cohort_id, person_id, status, source, created_at, updated_at, enrolled_at, ended_at) values (gen_random_uuid(), ?, ?, 'completed', 'self', ${years(7)}, ${years(7)}, ${years(7)}, ${years(7)})`, [fullCohort.id, old.person.id]);
      const [sent] = await sql<{ id: string }>(
        `insert into notification (id, kind, recipient_person_id, recipient_email, recipient_name, subject_type, subject_id, data, dedupe_key, status, attempts, created_at, sent_at)
         values (gen_random_uuid(), 'enrolment_confirmed', ?, ?, 'Test', 'enrolment', gen_random_uuid(), '{"givenName":"Test"}', ?, 'sent', 1, now() - interval '100 days', now() - interval '100 days') returning id`,
        [waiter.person.id, waiter.email, `test:${waiter.person.id}:old`],
      );

      const preview = (await get('/admin/retention', nationalAdmin).expect(200)).body as { people: { count: number; ids: string[] }; emailPayloads: { count: number } };
      expect(preview.people.ids).toContain(old.person.id);
      expect(preview.people.ids).not.toContain(oldButSignedIn.person.id);
      expect(preview.people.ids).not.toContain(subject.person.id);
      expect(preview.emailPayloads.count).toBeGreaterThanOrEqual(1);

      const retention = api.app.get(RetentionService);
      const first = await retention.run();
      const second = await retention.run();

      expect(first.erased).toBe(preview.people.count);
      expect(first.payloadsCleared).toBe(preview.emailPayloads.count);
      expect(second).toEqual({ erased: 0, payloadsCleared: 0 });
      const rows = await sql<{ id: string; erased_at: Date | null }>(`select id, erased_at from person where id in (?, ?)`, [old.person.id, oldButSignedIn.person.id]);
      expect(Object.fromEntries(rows.map((row) => [row.id, row.erased_at !== null]))).toEqual({ [old.person.id]: true, [oldButSignedIn.person.id]: false });
      expect(await auditRows(api, { action: 'person.erase', objectId: old.person.id })).toEqual([expect.objectContaining({ actor_account_id: null, details: expect.objectContaining({ reason: 'retention: no activity for 6 years' }) })]);
      expect(await auditRows(api, { action: 'retention.run' })).toHaveLength(1);
      const [cleared] = await sql<{ data: Record<string, unknown> }>(`select data from notification where id = ?`, [sent!.id]);
      expect(cleared!.data).toEqual({});
      expectProblem(await api.http().post('/api/v1/auth/login').send({ email: old.email, password: old.password }), 401);
    });
  });
});
