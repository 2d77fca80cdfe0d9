import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Enrolment } from '@slp/learning';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { MAINTENANCE_JOBS, MAINTENANCE_QUEUE } from '../apps/worker/src/maintenance/maintenance.queue';
import { cohort, organisation, people, programme, system } from './support/factories';
import { headersOf } from './support/mime';
import { createTestDatabase } from './support/test-database';
import { testConfig } from './support/test-api';

describe('worker maintenance jobs (e2e)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let worker: INestApplicationContext;
  let orm: MikroORM;
  let config: ReturnType<typeof testConfig>;
  let sinkDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    // No SMTP_URL: the worker writes email as .eml files, here into a folder of this test's own.
    sinkDir = mkdtempSync(path.join(tmpdir(), 'slp-mail-'));
    config = testConfig(database.url, { MAIL_SINK_DIR: sinkDir });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    orm = worker.get(MikroORM);
  });

  afterAll(async () => {
    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    await queue.obliterate({ force: true });
    await worker.close();
    await database.drop();
    rmSync(sinkDir, { recursive: true, force: true });
  });

  it('schedules offer expiry once, however many workers start', async () => {
    const second = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    await second.close();
    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.filter((s) => s.key === MAINTENANCE_JOBS.expireOffers.name)).toHaveLength(1);
    expect(schedulers.find((s) => s.key === MAINTENANCE_JOBS.expireOffers.name)?.every).toBe(MAINTENANCE_JOBS.expireOffers.repeat.every);
  });

  it('expires a lapsed offer and offers the seat to the next person when the job runs', async () => {
    const em = orm.em.fork();
    const sys = await system(em);
    const org = await organisation(em, sys);
    const target = await cohort(em, await programme(em, sys), { capacity: 1, offerWindowHours: 24 });
    const [offered, waiting] = await people(em, 2, org);
    // The state a withdrawal leaves behind: one person offered the only seat (now lapsed), one waiting.
    await em.getConnection().execute(`update cohort set seats_taken = 1, waitlist_tickets = 1 where id = ?`, [target.id]);
    const lapsed = em.create(Enrolment, { cohort: target, person: offered!, status: 'offered', source: 'self', offerExpiresAt: new Date(Date.now() - 60_000), createdAt: new Date(), updatedAt: new Date() });
    const next = em.create(Enrolment, { cohort: target, person: waiting!, status: 'waitlisted', source: 'self', waitlistTicket: 1, createdAt: new Date(), updatedAt: new Date() });
    await em.flush();

    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    await queue.add(MAINTENANCE_JOBS.expireOffers.name, {});

    const deadline = Date.now() + 10_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      const rows = await orm.em.fork().find(Enrolment, { id: { $in: [lapsed.id, next.id] } }, { orderBy: { createdAt: 'asc' } });
      statuses = [lapsed.id, next.id].map((id) => rows.find((r) => r.id === id)!.status);
      if (statuses[0] !== 'offered') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses).toEqual(['declined', 'offered']);
    const kinds = await orm.em.fork().getConnection().execute<{ id: string; kind: string; subject_id: string; recipient_email: string }[]>(
      `select id, kind, subject_id, recipient_email from notification where subject_id in (?, ?) order by kind`,
      [lapsed.id, next.id],
    );
    expect(kinds.map(({ kind, subject_id }) => ({ kind, subject_id }))).toEqual([
      { kind: 'offer_expired', subject_id: lapsed.id },
      { kind: 'place_offered', subject_id: next.id },
    ]);
    // Each email is written whole to the file sink, named after its Message-ID.
    const files = kinds.map((row) => path.join(sinkDir, `${row.id}@system-leadership-platform.eml`));
    for (const until = Date.now() + 10_000; Date.now() < until && !files.every((file) => existsSync(file)); ) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const [i, file] of files.entries()) {
      const headers = headersOf(readFileSync(file, 'utf8'));
      expect(headers['to']).toContain(kinds[i]!.recipient_email);
      expect(headers['message-id']).toBe(`<${kinds[i]!.id}@system-leadership-platform>`);
    }
  });
  it('schedules the weekly retention run once, and the run erases a person inactive for six years', async () => {
    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    const schedulers = (await queue.getJobSchedulers()).filter((s) => s.key === MAINTENANCE_JOBS.retention.name);
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ pattern: MAINTENANCE_JOBS.retention.repeat.pattern, tz: 'Europe/London' });

    const em = orm.em.fork();
    const [inactive, active] = await people(em, 2, await organisation(em, await system(em)));
    await em.getConnection().execute(`update person set created_at = now() - interval '7 years', updated_at = now() - interval '7 years' where id = ?`, [inactive!.id]);

    await queue.add(MAINTENANCE_JOBS.retention.name, {});

    const erasedAt = async (id: string) => (await orm.em.fork().getConnection().execute<{ erased_at: Date | null }[]>(`select erased_at from person where id = ?`, [id]))[0]!.erased_at;
    for (const until = Date.now() + 10_000; Date.now() < until && !(await erasedAt(inactive!.id)); ) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await erasedAt(inactive!.id)).not.toBeNull();
    expect(await erasedAt(active!.id)).toBeNull();
  });
});
