#!/usr/bin/env node
/**
 * The bare comparison for bench/read.bench.mjs: Fastify + pg + ioredis, no framework, answering
 * GET /api/v1/cohorts/:id and GET /api/v1/programmes with the same JSON as the API for the same
 * caller. It does the same checks on the way (HS256 token with issuer and audience, the session
 * not signed out in Redis, the account active, the caller's visibility rules) but as plainly as
 * possible: one Redis round trip and one SQL statement per request. Started by the benchmark with
 * PORT, DATABASE_URL, DATABASE_POOL_MAX, REDIS_URL, REDIS_PREFIX and JWT_SECRET.
 */
import { createSecretKey } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const require = createRequire(import.meta.url);
const Fastify = require('fastify');
const jwt = require('jsonwebtoken');
const { Redis } = require('ioredis');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The eligibility summary is a rule of the learning context: the bare route uses the same function (pure, no framework).
const { eligibilitySummary } = require(path.join(ROOT, 'dist/libs/learning/src/eligibility.js'));

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const KEY = createSecretKey(Buffer.from(env('JWT_SECRET'), 'utf8'));
const PREFIX = env('REDIS_PREFIX');
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(process.env.DATABASE_POOL_MAX || 10), application_name: 'slp-bench-bare' });
const redis = new Redis(env('REDIS_URL'), { lazyConnect: false, maxRetriesPerRequest: 1 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAFF_ROLES = ['admin', 'programme_lead', 'coach'];
const PAGE = 50;

const app = Fastify({ logger: false });

/** The token's claims when it is ours, unexpired and its session is live; else null. */
async function claimsOf(request) {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return null;
  let claims;
  try {
    claims = jwt.verify(header.slice(7), KEY, { algorithms: ['HS256'], issuer: 'system-leadership-platform', audience: 'slp-api' });
  } catch {
    return null;
  }
  if (typeof claims.sid !== 'string' || !UUID.test(claims.sid) || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return null;
  if ((await redis.exists(`${PREFIX}:session:revoked:${claims.sid}`)) === 1) return null;
  return claims;
}

const unauthorised = (reply) => reply.code(401).type('application/problem+json').send({ type: 'about:blank', title: 'Unauthorized', status: 401 });
const notFound = (reply) => reply.code(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not Found', status: 404 });

/** Staff systems as the access scope has them: 'all' for a national admin, the account's systems for staff, none otherwise. */
function staffSystems(account) {
  if (account.roles.includes('admin') && account.system_ids.length === 0) return 'all';
  return account.roles.some((role) => STAFF_ROLES.includes(role)) ? account.system_ids : [];
}

app.get('/api/v1/cohorts/:id', async (request, reply) => {
  const claims = await claimsOf(request);
  if (!claims) return unauthorised(reply);
  const { id } = request.params;
  if (!UUID.test(id)) return reply.code(400).send({ status: 400 });
  const {
    rows: [row],
  } = await pool.query(
    `with acct as (select a.person_id, a.roles, a.system_ids, o.system_id as own_system
                     from account a join person pe on pe.id = a.person_id left join organisation o on o.id = pe.organisation_id
                    where a.id = $1 and a.status = 'active')
     select acct.roles, acct.system_ids, acct.own_system, c.id, c.programme_id, p.system_id, c.name, c.status, c.capacity, c.seats_taken,
            c.enrolment_opens_at, c.enrolment_closes_at, c.starts_at, c.ends_at, c.requires_approval, c.waitlist_enabled, c.offer_window_hours,
            (select count(*)::int from enrolment w where w.cohort_id = c.id and w.status = 'waitlisted') as waitlist_length,
            exists(select 1 from enrolment m where m.cohort_id = c.id and m.person_id = acct.person_id) as mine
       from acct left join cohort c on c.id = $2 left join programme p on p.id = c.programme_id`,
    [claims.sub, id],
  );
  if (!row) return unauthorised(reply);
  if (!row.id) return notFound(reply);
  const staff = staffSystems(row);
  const oversees = staff === 'all' || (row.system_id !== null && staff.includes(row.system_id));
  const openToThem = row.status !== 'draft' && (row.system_id === null || row.system_id === row.own_system);
  if (!oversees && !openToThem && !row.mine) return notFound(reply);
  return {
    id: row.id,
    programmeId: row.programme_id,
    systemId: row.system_id,
    name: row.name,
    status: row.status,
    capacity: row.capacity,
    seatsTaken: row.seats_taken,
    seatsLeft: Math.max(0, row.capacity - row.seats_taken),
    waitlistLength: row.waitlist_length,
    enrolmentOpensAt: row.enrolment_opens_at.toISOString(),
    enrolmentClosesAt: row.enrolment_closes_at.toISOString(),
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    requiresApproval: row.requires_approval,
    waitlistEnabled: row.waitlist_enabled,
    offerWindowHours: row.offer_window_hours,
  };
});

app.get('/api/v1/programmes', async (request, reply) => {
  const claims = await claimsOf(request);
  if (!claims) return unauthorised(reply);
  // Staff see their systems' programmes and national ones; participants those open to their system; national admins all.
  const { rows } = await pool.query(
    `with acct as (select a.roles, a.system_ids, o.system_id as own_system
                     from account a join person pe on pe.id = a.person_id left join organisation o on o.id = pe.organisation_id
                    where a.id = $1 and a.status = 'active'),
          scope as (select (('admin' = any(roles)) and cardinality(system_ids) = 0) as national,
                           (case when roles && array['admin', 'programme_lead', 'coach'] then system_ids else '{}' end) || coalesce(array[own_system::text], '{}') as systems
                      from acct)
     select p.id, p.title, p.description, p.level, p.system_id, p.eligible_staff_groups, p.min_grade, p.max_grade, p.eligible_grades, p.funding_pence
       from scope join programme p on scope.national or p.system_id is null or p.system_id::text = any(scope.systems)
      order by p.title, p.id limit ${PAGE + 1}`,
    [claims.sub],
  );
  const items = rows.slice(0, PAGE).map((p) => ({
    id: p.id,
    title: p.title,
    description: p.description,
    level: p.level,
    systemId: p.system_id,
    eligibility: {
      staffGroups: p.eligible_staff_groups,
      minGrade: p.min_grade,
      maxGrade: p.max_grade,
      grades: p.eligible_grades,
      summary: eligibilitySummary({ eligibleStaffGroups: p.eligible_staff_groups, minGrade: p.min_grade, maxGrade: p.max_grade, eligibleGrades: p.eligible_grades }),
    },
    fundingPence: p.funding_pence === null ? null : Number(p.funding_pence),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > PAGE ? Buffer.from(JSON.stringify([last.title, last.id])).toString('base64url') : null };
});

app.get('/health/ready', async () => ({ status: 'ok' }));

const shutdown = async () => {
  await app.close();
  await pool.end();
  redis.disconnect();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

await app.listen({ port: Number(env('PORT')), host: '127.0.0.1' });
