import { LeadDigestService } from '@slp/talent';
import { Enrolment } from '@slp/learning';
import { account, cohort, forkEm, organisation, people, programme, system } from './support/factories';
import { startTestApi, TestApi } from './support/test-api';

/** The weekly digest for programme leads reads every system a lead works for, not only the first. */
describe('weekly lead digest (e2e)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('counts applications awaiting a decision in each of a lead’s systems', async () => {
    const em = forkEm(api);
    const [north, south] = [await system(em), await system(em)];
    const lead = await account(em, { roles: ['programme_lead'], systems: [north, south] });
    const [applicant] = await people(em, 1, await organisation(em, south));
    const pending = await cohort(em, await programme(em, south), { requiresApproval: true });
    em.create(Enrolment, { cohort: pending, person: applicant!, status: 'pending_approval', createdAt: new Date(), updatedAt: new Date() } as never);
    await em.flush();

    const created = await api.app.get(LeadDigestService).createWeekly(new Date('2027-01-11T07:00:00Z'));

    expect(created).toBeGreaterThanOrEqual(1);
    const [digest] = await forkEm(api).getConnection().execute<{ data: { pendingApplications: number } }[]>(`select data from notification where kind = 'lead_digest' and recipient_person_id = ?`, [lead.person.id]);
    expect(digest!.data.pendingApplications).toBe(1);
  });
});
