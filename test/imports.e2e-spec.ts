import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Response } from 'supertest';
import { Client } from 'pg';
import { Organisation } from '@slp/directory';
import { Person } from '@slp/identity';
import { PROBLEM_JSON } from './support/assertions';
import { staffAccounts, twoSystems, TwoSystems } from './support/callers';
import { accessTokenFor, account, forkEm } from './support/factories';
import { esrFile, odsFile } from './support/import-files';
import { deleteRedisKeys, eventually } from './support/outbox-fixtures';
import { startTestApi, TestApi } from './support/test-api';
import { killAllStartedWorkers, WorkerProcess } from './support/worker-process';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

interface ImportBody {
  id: string;
  kind: string;
  status: string;
  dryRun: boolean;
  rows: { total: number; processed: number; created: number; updated: number; unchanged: number; closed: number; skipped: number; rejected: number };
  errors: { row: number; field: string; message: string }[];
  errorCount: number;
  failure: string | null;
  fileSha256: string | null;
  finishedAt: string | null;
}

type Caller = 'nationalAdmin' | 'adminA' | 'leadA' | 'otherAdminA';

describe('imports (e2e: API, built worker, PostgreSQL, Redis)', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  let world: TwoSystems;
  const token = {} as Record<Caller, string>;

  beforeAll(async () => {
    api = await startTestApi();
    const em = forkEm(api);
    world = await twoSystems(em);
    const staff = await staffAccounts(em, world);
    const otherAdminA = await account(em, { roles: ['admin'], systems: [world.systemA], organisation: world.orgA });
    token.nationalAdmin = accessTokenFor(api, staff.nationalAdmin);
    token.adminA = accessTokenFor(api, staff.adminA);
    token.leadA = accessTokenFor(api, staff.leadA);
    token.otherAdminA = accessTokenFor(api, otherAdminA);
    worker = WorkerProcess.start({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: api.config.database.url, REDIS_URL, REDIS_PREFIX: api.config.redis.prefix });
    await worker.waitForLog(/^Worker ready/);
  });

  afterAll(async () => {
    await killAllStartedWorkers();
    await deleteRedisKeys(REDIS_URL, api.config.redis.prefix);
    await api?.close();
  });

  function submit(kind: string, body: string | Buffer, as: Caller = 'nationalAdmin', dryRun = false) {
    return api
      .http()
      .post(`/api/v1/imports?kind=${kind}${dryRun ? '&dryRun=true' : ''}`)
      .set('Authorization', `Bearer ${token[as]}`)
      .set('Content-Type', 'text/csv')
      .send(typeof body === 'string' ? Buffer.from(body) : body);
  }

  async function finished(id: string, as: Caller = 'nationalAdmin'): Promise<ImportBody> {
    return eventually(
      async () => {
        const response = await api.http().get(`/api/v1/imports/${id}`).set('Authorization', `Bearer ${token[as]}`).expect(200);
        const body = response.body as ImportBody;
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      30_000,
      () => `import ${id} did not finish\n${worker.stdout.slice(-2000)}`,
    );
  }

  async function run(kind: string, body: string | Buffer, as: Caller = 'nationalAdmin', dryRun = false): Promise<ImportBody> {
    const response = await submit(kind, body, as, dryRun);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.any(String), status: 'queued' });
    return finished((response.body as { id: string }).id, as);
  }

  async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: api.config.database.url });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  const counts = (body: ImportBody) => ({ ...body.rows, processed: undefined });

  describe('ODS organisations', () => {
    const icbs = odsFile([
      { code: 'QZA', name: 'NHS TESTSHIRE INTEGRATED CARE BOARD', nationalGrouping: 'Y62' },
      { code: 'QZB', name: 'NHS OTHERSHIRE INTEGRATED CARE BOARD', nationalGrouping: 'Y63' },
    ]);
    const trusts = odsFile([
      { code: 'RZA', name: 'TESTSHIRE HOSPITALS NHS FOUNDATION TRUST', highLevelHealthGeography: 'QZA' },
      { code: 'RZB', name: 'TESTSHIRE AMBULANCE SERVICE NHS TRUST', highLevelHealthGeography: 'QZA' },
      { code: 'RZC', name: 'OTHERSHIRE MENTAL HEALTH NHS TRUST', highLevelHealthGeography: 'QZB' },
    ]);
    const practices = (closeDate = '') =>
      odsFile([
        { code: 'Z90001', name: 'THE SURGERY (FICTIONAL)', highLevelHealthGeography: 'QZA', commissioner: 'QZA' },
        { code: 'Z90002', name: 'VALLEY MEDICAL PRACTICE (FICTIONAL)', highLevelHealthGeography: 'QZA', commissioner: 'QZB', closeDate },
        { code: 'Z90003', name: 'LONG CLOSED PRACTICE (FICTIONAL)', highLevelHealthGeography: 'QZB', commissioner: 'QZB', closeDate: '20190331' },
      ]);

    it('creates systems in their NHS England region from an ICB file, and re-importing it changes nothing and says so', async () => {
      const first = await run('ods_icb', icbs);
      expect(first).toMatchObject({ status: 'succeeded', kind: 'ods_icb', dryRun: false, errors: [], failure: null });
      expect(counts(first)).toMatchObject({ total: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
      expect(first.fileSha256).toMatch(/^[0-9a-f]{64}$/);
      const systems = await sql<{ ods_code: string; region_code: string }>(`select ods_code, region_code from system where ods_code in ('QZA', 'QZB') order by ods_code`);
      expect(systems).toEqual([
        { ods_code: 'QZA', region_code: 'Y62' },
        { ods_code: 'QZB', region_code: 'Y63' },
      ]);
      const again = await run('ods_icb', icbs);
      expect(counts(again)).toMatchObject({ total: 2, created: 0, updated: 0, unchanged: 2 });
      expect(again.fileSha256).toBe(first.fileSha256);
      const audit = await sql<{ n: string }>(`select count(*) as n from audit_log where action = 'system.import'`);
      expect(Number(audit[0]!.n)).toBe(2);
    });

    it('rejects an ICB row whose national grouping is not a region, naming the row and field, and applies the rest', async () => {
      const body = await run('ods_icb', odsFile([{ code: 'QZC', name: 'NHS THIRDSHIRE ICB', nationalGrouping: 'Y99' }, { code: 'QZD', name: 'NHS FOURTHSHIRE ICB', nationalGrouping: 'Y56' }]));
      expect(counts(body)).toMatchObject({ total: 2, created: 1, rejected: 1 });
      expect(body.errors).toEqual([{ row: 1, field: 'nationalGrouping', message: expect.stringContaining('Y99 is not the ODS code of an NHS England region') }]);
      expect(await sql(`select 1 from system where ods_code = 'QZC'`)).toHaveLength(0);
    });

    it('puts trusts in the system of their ICB, with a type read from the name', async () => {
      const body = await run('ods_trust', trusts);
      expect(counts(body)).toMatchObject({ total: 3, created: 3, rejected: 0 });
      const rows = await sql<{ ods_code: string; type: string; system: string }>(`select o.ods_code, o.type, s.ods_code as system from organisation o join system s on s.id = o.system_id where o.ods_code like 'RZ_' order by o.ods_code`);
      expect(rows).toEqual([
        { ods_code: 'RZA', type: 'acute_trust', system: 'QZA' },
        { ods_code: 'RZB', type: 'ambulance_trust', system: 'QZA' },
        { ods_code: 'RZC', type: 'mental_health_trust', system: 'QZB' },
      ]);
    });

    it('puts GP practices in the system of their commissioner, skips closed practices it never held, then closes one without deleting it', async () => {
      const first = await run('ods_gp_practice', practices());
      expect(counts(first)).toMatchObject({ total: 3, created: 2, skipped: 1, closed: 0 });
      const [valley] = await sql<{ system: string; id: string }>(`select s.ods_code as system, o.id from organisation o join system s on s.id = o.system_id where o.ods_code = 'Z90002'`);
      expect(valley!.system).toBe('QZB');
      expect(await sql(`select 1 from organisation where ods_code = 'Z90003'`)).toHaveLength(0);

      const closing = await run('ods_gp_practice', practices('20250331'));
      expect(counts(closing)).toMatchObject({ total: 3, created: 0, updated: 0, closed: 1, unchanged: 1, skipped: 1 });
      expect(await sql(`select closed_on::text from organisation where ods_code = 'Z90002'`)).toEqual([{ closed_on: '2025-03-31' }]);

      const systemId = (await sql<{ id: string }>(`select id from system where ods_code = 'QZB'`))[0]!.id;
      const listed = await api.http().get(`/api/v1/organisations?systemId=${systemId}`).set('Authorization', `Bearer ${token.nationalAdmin}`).expect(200);
      expect((listed.body as { items: { odsCode: string }[] }).items.map((o) => o.odsCode)).not.toContain('Z90002');
      const all = await api.http().get(`/api/v1/organisations?systemId=${systemId}&includeClosed=true`).set('Authorization', `Bearer ${token.nationalAdmin}`).expect(200);
      expect((all.body as { items: { odsCode: string; closedOn: string | null }[] }).items).toContainEqual(expect.objectContaining({ odsCode: 'Z90002', closedOn: '2025-03-31' }));
      expect(await sql(`select action, details->>'change' as change from audit_log where object_id = $1 order by id`, [valley!.id])).toEqual([
        { action: 'organisation.import', change: 'created' },
        { action: 'organisation.import', change: 'closed' },
      ]);
    });

    it('counts a dry run exactly and changes nothing', async () => {
      const body = await run('ods_trust', odsFile([{ code: 'RZD', name: 'DRY RUN HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' }, { code: 'RZA', name: 'TESTSHIRE HOSPITALS NHS FOUNDATION TRUST (RENAMED)', highLevelHealthGeography: 'QZA' }]), 'nationalAdmin', true);
      expect(body).toMatchObject({ status: 'succeeded', dryRun: true });
      expect(counts(body)).toMatchObject({ total: 2, created: 1, updated: 1 });
      expect(await sql(`select 1 from organisation where ods_code = 'RZD'`)).toHaveLength(0);
      expect(await sql(`select name from organisation where ods_code = 'RZA'`)).toEqual([{ name: 'TESTSHIRE HOSPITALS NHS FOUNDATION TRUST' }]);
    });

    it('leaves nothing applied when the import fails after its merge', async () => {
      // A fault injected after the organisations are written: the run's own audit entry cannot be written.
      await sql(`create function fail_import_audit() returns trigger language plpgsql as $$ begin if new.action = 'import.run' and new.details->>'kind' = 'ods_trust' then raise exception 'injected failure'; end if; return new; end $$`);
      await sql(`create trigger fail_import_audit before insert on audit_log for each row execute function fail_import_audit()`);
      try {
        const body = await run('ods_trust', odsFile([{ code: 'RZE', name: 'DOOMED HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' }, { code: 'RZA', name: 'RENAMED BEFORE THE FAULT', highLevelHealthGeography: 'QZA' }]));
        expect(body.status).toBe('failed');
        expect(body.failure).toMatch(/changed nothing/);
        expect(counts(body)).toMatchObject({ created: 0, updated: 0 });
      } finally {
        await sql(`drop trigger fail_import_audit on audit_log`);
        await sql(`drop function fail_import_audit()`);
      }
      expect(await sql(`select 1 from organisation where ods_code = 'RZE'`)).toHaveLength(0);
      expect(await sql(`select name from organisation where ods_code = 'RZA'`)).toEqual([{ name: 'TESTSHIRE HOSPITALS NHS FOUNDATION TRUST' }]);
      expect(await sql(`select 1 from audit_log where action = 'organisation.import' and details->>'importId' in (select id::text from import where status = 'failed')`)).toHaveLength(0);
    });
  });

  describe('bad input', () => {
    it('fails binary garbage with the reason, writing nothing', async () => {
      const garbage = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0xfe, 0x10, 0x80, 0x00, 0x01]);
      const body = await run('ods_trust', garbage);
      expect(body.status).toBe('failed');
      expect(body.failure).toMatch(/not text/);
      expect(counts(body)).toMatchObject({ created: 0, updated: 0, unchanged: 0 });
    });

    it('fails a file in another encoding (Windows-1252) asking for UTF-8', async () => {
      const latin = Buffer.concat([Buffer.from('"RZF","ST JOS'), Buffer.from([0xc9]), Buffer.from(`"${',""'.repeat(25)}\n`)]);
      const body = await run('ods_trust', latin);
      expect(body).toMatchObject({ status: 'failed', failure: expect.stringMatching(/not UTF-8/) });
    });

    it('refuses an empty body with 400 and queues nothing', async () => {
      const before = await sql<{ n: string }>(`select count(*) as n from import`);
      const response = await submit('ods_trust', '');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(await sql<{ n: string }>(`select count(*) as n from import`)).toEqual(before);
    });

    it('refuses a file over IMPORT_MAX_UPLOAD_BYTES with 400, whether it says its length or streams it, and keeps nothing', async () => {
      const small = await startTestApi({ IMPORT_MAX_UPLOAD_BYTES: '4096' }, api.config.database.url);
      try {
        const before = await sql<{ imports: string; chunks: string }>(`select (select count(*) from import) as imports, (select count(*) from import_file_chunk) as chunks`);
        const file = Buffer.from(odsFile(Array.from({ length: 60 }, (_, i) => ({ code: `RY${String(i).padStart(3, '0')}`, name: 'A HOSPITAL THAT IS NEVER IMPORTED NHS TRUST', highLevelHealthGeography: 'QZA' }))));
        expect(file.length).toBeGreaterThan(4096);
        const declared = await small.http().post('/api/v1/imports?kind=ods_trust').set('Authorization', `Bearer ${token.nationalAdmin}`).set('Content-Type', 'text/csv').send(file);
        expect(declared.status).toBe(400);
        expect(declared.headers['content-type']).toMatch(PROBLEM_JSON);
        expect((declared.body as { detail: string }).detail).toMatch(/larger than/);
        // Chunked, without a Content-Length: refused once the stored bytes pass the limit.
        if (!small.server.listening) await new Promise<void>((resolve) => small.server.listen(0, '127.0.0.1', resolve));
        const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const address = small.server.address() as { port: number };
          const req = httpRequest({ host: '127.0.0.1', port: address.port, method: 'POST', path: '/api/v1/imports?kind=ods_trust', headers: { authorization: `Bearer ${token.nationalAdmin}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          for (let at = 0; at < file.length; at += 1000) req.write(file.subarray(at, at + 1000));
          req.end();
        });
        expect(streamed.status).toBe(400);
        expect(streamed.body).toMatch(/larger than/);
        expect(await sql(`select (select count(*) from import) as imports, (select count(*) from import_file_chunk) as chunks`)).toEqual(before);
        expect(await sql(`select 1 from organisation where ods_code like 'RY%'`)).toHaveLength(0);
      } finally {
        await small.close();
      }
    });

    it('refuses an unknown kind, and a body that is not text/csv, with 400', async () => {
      const unknown = await submit('ods_everything', 'x');
      expect(unknown.status).toBe(400);
      const json = await api.http().post('/api/v1/imports?kind=ods_trust').set('Authorization', `Bearer ${token.nationalAdmin}`).send({ rows: [] });
      expect(json.status).toBe(400);
    });

    it('fails a file of the wrong layout as a whole, and lists later rows with the wrong column count', async () => {
      const wrong = await run('ods_trust', 'code,name\nRZG,SOMETHING\n');
      expect(wrong).toMatchObject({ status: 'failed', failure: expect.stringContaining('first row has 2 columns') });
      const ragged = await run('ods_trust', odsFile([{ code: 'RZH', name: 'RAGGED HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' }]) + '"RZI","SHORT"\r\n');
      expect(counts(ragged)).toMatchObject({ total: 2, created: 1, rejected: 1 });
      expect(ragged.errors).toEqual([{ row: 2, field: 'row', message: 'expected 27 columns, found 2' }]);
    });

    it('fails a file that is not valid CSV (a quote never closed), naming the problem', async () => {
      const body = await run('ods_trust', '"RZJ","UNCLOSED\n');
      expect(body).toMatchObject({ status: 'failed', failure: expect.stringMatching(/not valid CSV/) });
    });

    it('rejects every row of a key that appears twice in the file', async () => {
      const body = await run(
        'ods_trust',
        odsFile([
          { code: 'RZK', name: 'TWICE HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' },
          { code: 'RZL', name: 'ONCE HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' },
          { code: 'RZK', name: 'TWICE AGAIN NHS TRUST', highLevelHealthGeography: 'QZA' },
        ]),
      );
      expect(counts(body)).toMatchObject({ created: 1, rejected: 2 });
      expect(body.errors.map((e) => [e.row, e.field])).toEqual([
        [1, 'code'],
        [3, 'code'],
      ]);
      expect(await sql(`select 1 from organisation where ods_code = 'RZK'`)).toHaveLength(0);
    });

    it('lets only national admins import ODS files, and only admins import at all', async () => {
      expect((await submit('ods_trust', odsFile([{ code: 'RZM', name: 'X', highLevelHealthGeography: 'QZA' }]), 'adminA')).status).toBe(403);
      expect((await submit('esr_people', esrFile([]), 'leadA')).status).toBe(403);
      expect(await sql(`select 1 from organisation where ods_code = 'RZM'`)).toHaveLength(0);
    });
  });

  describe('ESR people', () => {
    it('creates people without accounts from primary assignments, mapping staff group and grade, never reading equality data', async () => {
      const orgA = world.orgA.odsCode;
      const body = await run(
        'esr_people',
        esrFile([
          { employeeNumber: '20000001', givenName: 'Ada', familyName: 'Lovelace', email: 'ada.lovelace@nhs.example', staffGroup: 'Nursing and Midwifery Registered', grade: 'Band 6', organisationCode: orgA },
          { employeeNumber: '20000002', email: 'brian.secondary@nhs.example', organisationCode: orgA, primary: 'N' },
          { employeeNumber: '20000003', givenName: 'Cara', email: 'cara@nhs.example', staffGroup: 'Add Prof Scientific and Technic', grade: 'Band 8 - Range B', organisationCode: orgA.toLowerCase() },
        ]),
        'adminA',
      );
      expect(counts(body)).toMatchObject({ total: 3, created: 2, skipped: 1, rejected: 0 });
      const people = await sql<Record<string, unknown>>(
        `select p.email::text, p.given_name, p.staff_group, p.grade, p.esr_employee_number, p.profession, p.job_title, o.ods_code, (select count(*) from account a where a.person_id = p.id)::int as accounts
         from person p join organisation o on o.id = p.organisation_id where p.esr_employee_number like '2000000_' order by p.esr_employee_number`,
      );
      expect(people).toEqual([
        { email: 'ada.lovelace@nhs.example', given_name: 'Ada', staff_group: 'nursing_midwifery_registered', grade: 'band_6', esr_employee_number: '20000001', profession: 'Staff Nurse', job_title: 'Ward Nurse', ods_code: orgA, accounts: 0 },
        { email: 'cara@nhs.example', given_name: 'Cara', staff_group: 'additional_professional_scientific_technical', grade: 'band_8b', esr_employee_number: '20000003', profession: 'Staff Nurse', job_title: 'Ward Nurse', ods_code: orgA, accounts: 0 },
      ]);
      expect(await sql(`select 1 from equality_monitoring`)).toHaveLength(0);
    });

    it('matches by employee number, then by email: re-import is unchanged, changes update, and a pending proposal of the same facts is settled', async () => {
      const em = forkEm(api);
      const nominated = em.create(Person, { email: 'Dana.Nominated@nhs.example', givenName: 'Dana', familyName: 'Nominated', organisation: null, createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      const orgA = world.orgA.odsCode;
      const rows = [
        { employeeNumber: '20000001', givenName: 'Ada', familyName: 'Lovelace', email: 'ada.lovelace@nhs.example', grade: 'Band 6', organisationCode: orgA },
        { employeeNumber: '20000003', givenName: 'Cara', email: 'cara@nhs.example', staffGroup: 'Add Prof Scientific and Technic', grade: 'Band 8 - Range B', organisationCode: orgA },
      ];
      const same = await run('esr_people', esrFile(rows), 'adminA');
      expect(counts(same)).toMatchObject({ total: 2, created: 0, updated: 0, unchanged: 2 });

      // Ada proposed band 7 herself; ESR now says band 7: that settles her proposal.
      await sql(`update person set pending_organisation_id = organisation_id, pending_staff_group = staff_group, pending_grade = 'band_7', employment_proposed_at = now() where esr_employee_number = '20000001'`);
      const changed = await run('esr_people', esrFile([{ ...rows[0]!, grade: 'Band 7' }, rows[1]!, { employeeNumber: '20000004', givenName: 'Dana', familyName: 'Nominated', email: 'dana.nominated@NHS.example', organisationCode: orgA }]), 'adminA');
      expect(counts(changed)).toMatchObject({ total: 3, created: 0, updated: 2, unchanged: 1 });
      expect(await sql(`select grade, pending_grade, employment_proposed_at from person where esr_employee_number = '20000001'`)).toEqual([{ grade: 'band_7', pending_grade: null, employment_proposed_at: null }]);
      expect(await sql(`select esr_employee_number, organisation_id from person where id = $1`, [nominated.id])).toEqual([{ esr_employee_number: '20000004', organisation_id: world.orgA.id }]);
    });

    it('lists row problems: unknown staff group or grade, bad and repeated emails, unknown organisations, and organisations outside the admin’s systems', async () => {
      const orgA = world.orgA.odsCode;
      const body = await run(
        'esr_people',
        esrFile([
          { employeeNumber: '30000001', email: 'eve@nhs.example', staffGroup: 'Martians', organisationCode: orgA },
          { employeeNumber: '30000002', email: 'frank@nhs.example', grade: 'Band 8', organisationCode: orgA },
          { employeeNumber: '30000003', email: 'not an email', organisationCode: orgA },
          { employeeNumber: '30000004', email: 'twice@nhs.example', organisationCode: orgA },
          { employeeNumber: '30000005', email: 'TWICE@nhs.example', organisationCode: orgA },
          { employeeNumber: '30000006', email: 'gina@nhs.example', organisationCode: 'ZZZ999' },
          { employeeNumber: '30000007', email: 'hal@nhs.example', organisationCode: world.orgB.odsCode },
          { employeeNumber: '30000008', email: 'ivy@nhs.example', organisationCode: orgA },
        ]),
        'adminA',
      );
      expect(counts(body)).toMatchObject({ total: 8, created: 1, rejected: 7 });
      expect(body.errors.map((e) => [e.row, e.field])).toEqual([
        [2, 'staffGroup'],
        [3, 'grade'],
        [4, 'email'],
        [5, 'email'],
        [6, 'email'],
        [7, 'organisationCode'],
        [8, 'organisationCode'],
      ]);
      expect(body.errors[6]!.message).toMatch(/not in a system you administer/);
      expect(JSON.stringify(body.errors)).not.toContain('twice@');
      expect(await sql(`select 1 from person where esr_employee_number like '3000000_' and esr_employee_number <> '30000008'`)).toHaveLength(0);

      const csv = await api.http().get(`/api/v1/imports/${body.id}/errors.csv`).set('Authorization', `Bearer ${token.adminA}`).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('row,field,message');
      expect(lines).toHaveLength(8);
    });

    it('does not let a system admin take over a person who works in another system', async () => {
      const em = forkEm(api);
      const elsewhere = em.create(Person, { email: 'jo.elsewhere@nhs.example', givenName: 'Jo', familyName: 'Elsewhere', organisation: em.getReference(Organisation, world.orgB.id), createdAt: new Date(), updatedAt: new Date() });
      await em.flush();
      const body = await run('esr_people', esrFile([{ employeeNumber: '40000001', email: 'jo.elsewhere@nhs.example', organisationCode: world.orgA.odsCode }]), 'adminA');
      expect(body.errors).toEqual([{ row: 2, field: 'email', message: 'this email address belongs to a person outside your systems' }]);
      expect(await sql(`select organisation_id from person where id = $1`, [elsewhere.id])).toEqual([{ organisation_id: world.orgB.id }]);
      const national = await run('esr_people', esrFile([{ employeeNumber: '40000001', email: 'jo.elsewhere@nhs.example', organisationCode: world.orgA.odsCode }]));
      expect(counts(national)).toMatchObject({ updated: 1 });
    });

    it('fails an extract without the columns it needs, naming them', async () => {
      const body = await run('esr_people', 'Staff Number,Name\n1,Someone\n', 'adminA');
      expect(body).toMatchObject({ status: 'failed', failure: expect.stringContaining('"Employee Number"') });
    });

    it('shows an import only to whoever started it and national admins', async () => {
      const body = await run('esr_people', esrFile([{ employeeNumber: '50000001', email: 'kim@nhs.example', organisationCode: world.orgA.odsCode }]), 'adminA');
      const other: Response = await api.http().get(`/api/v1/imports/${body.id}`).set('Authorization', `Bearer ${token.otherAdminA}`);
      expect(other.status).toBe(404);
      await api.http().get(`/api/v1/imports/${body.id}/errors.csv`).set('Authorization', `Bearer ${token.otherAdminA}`).expect(404);
      await api.http().get(`/api/v1/imports/${body.id}`).set('Authorization', `Bearer ${token.nationalAdmin}`).expect(200);
    });
  });

  describe('command line', () => {
    it('runs the same engine from a file, with plain progress lines when not on a terminal, and a dry run changes nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'slp-import-'));
      const file = join(dir, 'etr.csv');
      writeFileSync(file, odsFile([{ code: 'RZN', name: 'COMMAND LINE HOSPITAL NHS TRUST', highLevelHealthGeography: 'QZA' }]));
      const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: api.config.database.url, REDIS_URL, REDIS_PREFIX: api.config.redis.prefix };
      const cli = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.once('exit', (code) => resolve({ code, stdout, stderr }));
        });
      const dry = await cli(['import', 'ods_trust', file, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/dry run: nothing changed\) succeeded: 1 rows, 1 created/);
      expect(dry.stdout).not.toMatch(/\u001b\[/);
      expect(await sql(`select 1 from organisation where ods_code = 'RZN'`)).toHaveLength(0);
      const real = await cli(['import', 'ods_trust', file]);
      expect(real.code).toBe(0);
      expect(await sql(`select 1 from organisation where ods_code = 'RZN'`)).toHaveLength(1);
      const usage = await cli(['import', 'ods_nothing', file]);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toMatch(/Usage: npm run import/);
    });
  });
});
