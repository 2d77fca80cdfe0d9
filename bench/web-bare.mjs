#!/usr/bin/env node
/**
 * The honest limit for bench/web.bench.mjs (started by it, not on its own): a bare Fastify + pg
 * server answering GET /learning and GET /cohorts/:id with the same HTML as the portal for the
 * same participant. It does what the portal must do per page, as plainly as possible: decrypts the
 * same session cookie (@fastify/secure-session with the same HKDF-derived key), checks the
 * session row and the account in PostgreSQL (the portal's own statement), reads the page's data
 * in one raw SQL statement, applies the same visibility rule, maps it with the portal's own pure
 * label functions and renders the same Nunjucks templates (@fastify/view configured as the
 * portal configures it, a CSRF token from @fastify/csrf-protection, a fresh CSP nonce). No Nest,
 * no ORM, no helmet, no idle-timeout bookkeeping. Two SQL round trips per page.
 * Environment: BENCH_BARE_PORT, DATABASE_URL, DATABASE_POOL_MAX, JWT_SECRET (or WEB_SESSION_SECRET).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => require(path.join(ROOT, 'dist', p));
const Fastify = require('fastify');
const view = require('@fastify/view');
const secureSession = require('@fastify/secure-session');
const csrfProtection = require('@fastify/csrf-protection');
const { viewEngineOptions } = dist('apps/web/src/http/views.js');
const { sessionKey, SESSION_COOKIE } = dist('apps/web/src/http/web-session.js');
const { loadConfig, AccessScope } = dist('libs/platform/src/index.js');
// The portal's own pure mapping and rules (no framework at request time), so the HTML can match.
const { toItemView } = dist('apps/web/src/learning/learning.controller.js');
const { statusTag, toSessionView, londonDate, LEVEL_LABELS } = dist('apps/web/src/learning/learning-labels.js');
const { cohortVisibleTo } = dist('libs/learning/src/learning.queries.js');
const { enrolmentClosedReason } = dist('libs/learning/src/cohort-status.js');
const { ineligibilityReason } = dist('libs/learning/src/eligibility.js');

const config = loadConfig();
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX || 10), application_name: 'slp-bench-web-bare' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORDER = { offered: 0, enrolled: 1, pending_approval: 2, waitlisted: 3 };
const LIVE = ['enrolled', 'pending_approval', 'waitlisted'];
const SEATED = `('enrolled', 'completed', 'not_completed')`;
const POSITION = (cohort, ticket) => `((select count(*) from enrolment ahead where ahead.cohort_id = ${cohort} and ahead.status = 'waitlisted' and ahead.waitlist_ticket < ${ticket})::int + 1)`;
const SESSIONS = (cohort) =>
  `(select coalesce(json_agg(json_build_object('id', s.id, 'title', s.title, 'kind', s.kind, 'startsAt', s.starts_at, 'endsAt', s.ends_at, 'location', s.location, 'onlineUrl', s.online_url, 'status', s.status) order by s.starts_at, s.id), '[]') from session s where s.cohort_id = ${cohort})`;
const sessionsOf = (json) => json.map((s) => ({ ...s, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) }));

const app = Fastify({ logger: false });
await app.register(secureSession, { key: sessionKey(config), cookieName: SESSION_COOKIE, expiry: 12 * 60 * 60, cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: false } });
await app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' });
await app.register(view, viewEngineOptions(config));

/** The signed-in principal, as AuthService.principalForSession reads it; null when signed out. */
async function principalOf(request) {
  const accountId = request.session.get('accountId');
  const sessionId = request.session.get('sessionId');
  if (typeof accountId !== 'string' || !UUID.test(accountId) || typeof sessionId !== 'string' || !UUID.test(sessionId)) return null;
  const {
    rows: [account],
  } = await pool.query(
    `select a.id, a.person_id, a.roles, a.system_ids, a.email_verified_at is not null as email_verified, t.amr
       from account a
       join lateral (select t.amr from refresh_token t where t.family_id = $1 and t.account_id = a.id and t.revoked_at is null and t.expires_at > now() order by t.created_at desc limit 1) t on true
      where a.id = $2 and a.status = 'active'`,
    [sessionId, accountId],
  );
  return account ? { accountId: account.id, personId: account.person_id, roles: account.roles, systemIds: account.system_ids, emailVerified: account.email_verified, mfaPending: false, sessionId } : null;
}

function render(request, reply, template, principal, model) {
  return reply
    .header('Content-Type', 'text/html; charset=utf-8')
    .view(template, { ...model, errorList: [], fieldErrors: {}, signedIn: true, isStaff: principal.roles.some((role) => role !== 'participant'), cspNonce: randomBytes(16).toString('hex'), csrfToken: reply.generateCsrf() });
}

app.get('/learning', async (request, reply) => {
  const principal = await principalOf(request);
  if (!principal) return reply.redirect('/sign-in', 303);
  const { rows } = await pool.query(
    `select e.id, e.cohort_id, e.status, e.offer_expires_at, c.name, c.starts_at, c.ends_at, p.title,
            case when e.status = 'waitlisted' and e.waitlist_ticket is not null then ${POSITION('e.cohort_id', 'e.waitlist_ticket')} end as position,
            case when e.status in ${SEATED} then ${SESSIONS('e.cohort_id')} else '[]' end as sessions
       from enrolment e join cohort c on c.id = e.cohort_id join programme p on p.id = c.programme_id
      where e.person_id = $1 order by e.created_at desc, e.id desc limit 200`,
    [principal.personId],
  );
  const items = rows
    .map((r) => ({
      enrolment: { id: r.id, cohortId: r.cohort_id, status: r.status, waitlistPosition: r.position ?? null, offerExpiresAt: r.offer_expires_at },
      cohort: { id: r.cohort_id, name: r.name, startsAt: r.starts_at, endsAt: r.ends_at },
      programme: { title: r.title },
      sessions: sessionsOf(r.sessions),
    }))
    .sort((a, b) => (ORDER[a.enrolment.status] ?? 9) - (ORDER[b.enrolment.status] ?? 9));
  const flash = request.session.get('flash') ?? null;
  if (flash) request.session.set('flash', undefined);
  return render(request, reply, 'learning/show.njk', principal, {
    title: 'Your learning',
    area: 'learning',
    flash,
    offers: items.filter((i) => i.enrolment.status === 'offered').map(toItemView),
    current: items.filter((i) => LIVE.includes(i.enrolment.status)).map(toItemView),
    past: items.filter((i) => i.enrolment.status !== 'offered' && !LIVE.includes(i.enrolment.status)).map(toItemView),
  });
});

app.get('/cohorts/:id', async (request, reply) => {
  const principal = await principalOf(request);
  if (!principal) return reply.redirect('/sign-in', 303);
  const { id } = request.params;
  if (!UUID.test(id)) return reply.code(404).send('Not found');
  const {
    rows: [row],
  } = await pool.query(
    `select c.id, c.name, c.status, c.capacity, c.seats_taken, c.enrolment_opens_at, c.enrolment_closes_at, c.starts_at, c.ends_at, c.requires_approval, c.waitlist_enabled,
            p.id as programme_id, p.title, p.level, p.system_id, p.eligible_staff_groups, p.min_grade, p.max_grade, p.eligible_grades,
            pe.staff_group, pe.grade, o.system_id as own_system,
            m.status as mine_status, case when m.status = 'waitlisted' and m.waitlist_ticket is not null then ${POSITION('m.cohort_id', 'm.waitlist_ticket')} end as mine_position,
            exists(select 1 from enrolment x where x.cohort_id = c.id and x.person_id = pe.id) as enrolled,
            ${SESSIONS('c.id')} as sessions
       from cohort c join programme p on p.id = c.programme_id
       join person pe on pe.id = $2 left join organisation o on o.id = pe.organisation_id
       left join enrolment m on m.cohort_id = c.id and m.person_id = pe.id and m.status in ('pending_approval', 'enrolled', 'waitlisted', 'offered')
      where c.id = $1`,
    [id, principal.personId],
  );
  if (!row || !cohortVisibleTo(AccessScope.of(principal), { systemId: row.system_id, status: row.status }, row.own_system, row.enrolled)) return reply.code(404).send('Not found');
  const left = Math.max(0, row.capacity - row.seats_taken);
  const closed = enrolmentClosedReason({ status: row.status, enrolmentOpensAt: row.enrolment_opens_at, enrolmentClosesAt: row.enrolment_closes_at }, new Date());
  const ineligible = ineligibilityReason({ eligibleStaffGroups: row.eligible_staff_groups, minGrade: row.min_grade, maxGrade: row.max_grade, eligibleGrades: row.eligible_grades }, { staffGroup: row.staff_group, grade: row.grade });
  let action;
  if (row.mine_status) action = { kind: 'enrolled', tag: statusTag({ status: row.mine_status, waitlistPosition: row.mine_position ?? null }) };
  else if (closed) action = { kind: 'reason', text: row.status === 'open' && new Date() < row.enrolment_opens_at ? `Enrolment opens on ${londonDate(row.enrolment_opens_at)}.` : 'This cohort is not taking enrolments.' };
  else if (ineligible) action = { kind: 'reason', text: `You cannot join this cohort. ${ineligible}` };
  else if (row.requires_approval) action = { kind: 'button', text: 'Apply', hint: 'The programme team will look at your application and tell you by email.' };
  else if (left > 0) action = { kind: 'button', text: 'Enrol', hint: `${left} ${left === 1 ? 'place' : 'places'} left.` };
  else if (row.waitlist_enabled) action = { kind: 'button', text: 'Join the waiting list', hint: 'The cohort is full. If a place comes up, the first person waiting is offered it.' };
  else action = { kind: 'reason', text: 'This cohort is full and has no waiting list.' };
  return render(request, reply, 'cohorts/show.njk', principal, {
    title: row.name,
    area: 'programmes',
    cohort: {
      id: row.id,
      dates: `${londonDate(row.starts_at)} to ${londonDate(row.ends_at)}`,
      closes: londonDate(row.enrolment_closes_at),
      availability: left > 0 ? `${left} ${left === 1 ? 'place' : 'places'} left` : row.waitlist_enabled ? 'Full – waiting list open' : 'Full',
      needsApproval: row.requires_approval,
    },
    programme: { id: row.programme_id, title: row.title, level: LEVEL_LABELS[row.level] },
    sessions: sessionsOf(row.sessions).map(toSessionView),
    action,
  });
});

app.get('/health', async () => ({ status: 'ok' }));

const shutdown = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

await app.listen({ port: Number(process.env.BENCH_BARE_PORT), host: '127.0.0.1' });
process.stdout.write('bare server ready\n');
