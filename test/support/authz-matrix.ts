/**
 * The authorisation matrix: for every route of the API, the status each caller gets for an object
 * of their own system and for one of the other system. test/authz-matrix.e2e-spec.ts reads the
 * routes from Nest's router at run time, so a route with no entry here fails that test by name.
 *
 * Callers (columns, in this order):
 *   anonymous     no Authorization header
 *   participant   a participant working for an organisation of system A
 *   lead          a programme lead of system A
 *   coach         a coach of system A
 *   systemAdmin   an admin of system A
 *   nationalAdmin an admin of no system (every system)
 *
 * Scopes (rows): `own` aims the route at objects of system A; `other` at objects of system B. The
 * person-owned objects (the person, their enrolment, nomination, notifications) belong, in `own`,
 * to the participant caller, and in `other` to a person working in system B. Every cell gets fresh
 * objects, so one cell's change does not decide another's status. Routes without path parameters
 * have only `own` (their scope comes from the body or query, if anywhere).
 *
 * Status 409 where a role is allowed means the check passed and the state of the fresh object was
 * not the one the action needs (e.g. accepting an offer nobody made): authorisation is decided
 * before state. 400 from a public route means it validated a token or body it could not accept.
 *
 * To add a route: add `'METHOD /api/v1/path/:param': { own: '…', other: '…', body?, query? }`
 * with six statuses per row; `body` and `query` build a valid request from the fresh objects.
 */

export const CALLERS = ['anonymous', 'participant', 'lead', 'coach', 'systemAdmin', 'nationalAdmin'] as const;
export type Caller = (typeof CALLERS)[number];

/** The fresh objects of one cell; each is created on first use. */
export interface MatrixObjects {
  systemId(): Promise<string>;
  organisationId(): Promise<string>;
  placeId(): Promise<string>;
  /** The owner: the participant caller (own) or a person of system B (other). */
  personId(): Promise<string>;
  personEmail(): Promise<string>;
  programmeId(): Promise<string>;
  cohortId(): Promise<string>;
  sessionId(): Promise<string>;
  /** The owner's enrolment in the cohort. */
  enrolmentId(): Promise<string>;
  talentPoolId(): Promise<string>;
  /** The owner's nomination to the talent pool (awaiting their consent). */
  nominationId(): Promise<string>;
  /** A notification to the owner (their enrolment's confirmation). */
  notificationId(): Promise<string>;
  /** An import by the system's admin. */
  importId(): Promise<string>;
  /** A unique suffix for names and emails. */
  unique(): string;
}

export interface MatrixEntry {
  /** Six statuses, one per caller in {@link CALLERS} order, for system A's objects. */
  readonly own: string;
  /** The same for system B's objects; required when the route has path parameters. */
  readonly other?: string;
  readonly body?: (o: MatrixObjects) => Promise<unknown>;
  readonly query?: (o: MatrixObjects) => Promise<Record<string, string>>;
  /** Content type of the body when it is not JSON (the body is then a string). */
  readonly contentType?: string;
}

const cohortBody = async (o: MatrixObjects) => ({ name: `Cohort ${o.unique()}`, capacity: 20, enrolmentOpensAt: '2027-01-04T09:00:00Z', enrolmentClosesAt: '2027-02-26T17:00:00Z', startsAt: '2027-03-15T09:00:00Z', endsAt: '2027-09-30T17:00:00Z', requiresApproval: false, waitlistEnabled: true });

export const AUTHZ_MATRIX: Record<string, MatrixEntry> = {
  'GET /health/live': { own: '? ? ? ? ? ?' },
  'GET /health/ready': { own: '? ? ? ? ? ?' },
  'POST /api/v1/auth/register': { own: '? ? ? ? ? ?', body: async (o) => ({ email: `register.${o.unique()}@nhs.example`, password: 'a long enough password', givenName: 'Grace', familyName: 'Mensah' }) },
  'POST /api/v1/auth/verify-email': { own: '? ? ? ? ? ?', body: async () => ({ token: 'x'.repeat(43) }) },
  'POST /api/v1/auth/verify-email/resend': { own: '? ? ? ? ? ?' },
  'POST /api/v1/auth/login': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ email: await o.personEmail(), password: 'correct horse battery staple' }) },
  'POST /api/v1/auth/refresh': { own: '? ? ? ? ? ?', body: async () => ({ refreshToken: 'x'.repeat(43) }) },
  'POST /api/v1/auth/accept-invitation': { own: '? ? ? ? ? ?', body: async () => ({ token: 'x'.repeat(43), password: 'a long enough password' }) },
  'POST /api/v1/auth/logout': { own: '? ? ? ? ? ?', body: async () => ({}) },
  'GET /api/v1/me': { own: '? ? ? ? ? ?' },
  'GET /api/v1/me/equality': { own: '? ? ? ? ? ?' },
  'PUT /api/v1/me/equality': { own: '? ? ? ? ? ?', body: async () => ({ consent: true, ageBand: '35_44' }) },
  'DELETE /api/v1/me/equality': { own: '? ? ? ? ? ?' },
  'POST /api/v1/accounts': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ email: `account.${o.unique()}@nhs.example`, givenName: 'Ada', familyName: 'Okafor', roles: ['participant'], systemIds: [], organisationId: await o.organisationId() }) },
  'GET /api/v1/regions': { own: '? ? ? ? ? ?' },
  'GET /api/v1/systems': { own: '? ? ? ? ? ?' },
  'POST /api/v1/systems': { own: '? ? ? ? ? ?', body: async (o) => ({ name: `Matrix ICS ${o.unique()}`, odsCode: `Q${o.unique().slice(-4).toUpperCase()}`, kind: 'ICS', region: 'Y62' }) },
  'GET /api/v1/systems/:systemId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/systems/:systemId/places': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/systems/:systemId/places': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ name: `Place ${o.unique()}` }) },
  'GET /api/v1/organisations': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/organisations': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ name: `Trust ${o.unique()}`, odsCode: `R${o.unique().slice(-5).toUpperCase()}`, type: 'acute_trust', systemId: await o.systemId() }) },
  'GET /api/v1/organisations/:organisationId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/people': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/people/:personId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'PATCH /api/v1/people/:personId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ jobTitle: 'Director of Nursing' }) },
  'POST /api/v1/people/:personId/employment/confirm': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/people/:personId/employment/reject': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/programmes': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/programmes': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ title: `Programme ${o.unique()}`, description: 'About it', level: 'system', systemId: await o.systemId() }) },
  'GET /api/v1/programmes/:programmeId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'PATCH /api/v1/programmes/:programmeId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ title: 'Renamed programme' }) },
  'POST /api/v1/programmes/:programmeId/cohorts': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: cohortBody },
  'GET /api/v1/cohorts': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/cohorts/:cohortId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'PATCH /api/v1/cohorts/:cohortId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ name: 'Renamed cohort' }) },
  'POST /api/v1/cohorts/:cohortId/open': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/close': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/start': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/complete': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/cancel': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/enrolments': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ personId: await o.personId() }) },
  'GET /api/v1/cohorts/:cohortId/enrolments': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/cohorts/:cohortId/sessions': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' }) },
  'GET /api/v1/cohorts/:cohortId/sessions': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/me/enrolments': { own: '? ? ? ? ? ?' },
  'GET /api/v1/enrolments/:enrolmentId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/enrolments/:enrolmentId/withdraw': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/enrolments/:enrolmentId/approve': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/enrolments/:enrolmentId/reject': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ reason: 'Not this year' }) },
  'POST /api/v1/enrolments/:enrolmentId/accept-offer': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/enrolments/:enrolmentId/decline-offer': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/enrolments/:enrolmentId/complete': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ outcome: 'completed' }) },
  'GET /api/v1/sessions/:sessionId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'PATCH /api/v1/sessions/:sessionId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ title: 'Renamed session' }) },
  'POST /api/v1/sessions/:sessionId/cancel': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/sessions/:sessionId/calendar.ics': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/sessions/:sessionId/attendance': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'PUT /api/v1/sessions/:sessionId/attendance': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ records: [{ enrolmentId: await o.enrolmentId(), status: 'present' }] }) },
  'GET /api/v1/talent-pools': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/talent-pools': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ systemId: await o.systemId(), name: `Pool ${o.unique()}`, purpose: 'Succession' }) },
  'GET /api/v1/talent-pools/:talentPoolId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/nominations': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ nominee: { personId: await o.personId() }, talentPoolId: await o.talentPoolId(), readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' }) },
  'GET /api/v1/nominations': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/me/nominations': { own: '? ? ? ? ? ?' },
  'POST /api/v1/nominations/consent': { own: '? ? ? ? ? ?', body: async () => ({ token: 'x'.repeat(43), decision: 'consent' }) },
  'GET /api/v1/nominations/:nominationId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/nominations/:nominationId/consent': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ decision: 'consent' }) },
  'POST /api/v1/nominations/:nominationId/accept': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/nominations/:nominationId/reject': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ reason: 'Not this round' }) },
  'POST /api/v1/nominations/:nominationId/withdraw': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ reason: 'Changed my mind' }) },
  'POST /api/v1/people/:personId/appointments': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async (o) => ({ post: 'Director of Nursing', organisationId: await o.organisationId(), appointedOn: '2026-11-02' }) },
  'GET /api/v1/people/:personId/pipeline': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/notifications': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ recipient: await o.personEmail() }) },
  'GET /api/v1/notifications/metrics': { own: '? ? ? ? ? ?' },
  'POST /api/v1/notifications/:notificationId/requeue': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/me/notification-preferences': { own: '? ? ? ? ? ?' },
  'PUT /api/v1/me/notification-preferences': { own: '? ? ? ? ? ?', body: async () => ({ reminders: false }) },
  'GET /api/v1/notification-preferences/unsubscribe': { own: '? ? ? ? ? ?', query: async () => ({ token: 'x'.repeat(43) }) },
  'POST /api/v1/notification-preferences/unsubscribe': { own: '? ? ? ? ? ?', query: async () => ({ token: 'x'.repeat(43) }) },
  'GET /api/v1/reports/pipeline': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/reports/equality': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/reports/cohorts/:cohortId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/reports/pipeline/people': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/me/data-export': { own: '? ? ? ? ? ?' },
  'GET /api/v1/people/:personId/data-export': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'POST /api/v1/people/:personId/erasure': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?', body: async () => ({ reason: 'Their request under UK GDPR article 17, ref 1234' }) },
  'GET /api/v1/admin/retention': { own: '? ? ? ? ? ?' },
  'POST /api/v1/imports': { own: '? ? ? ? ? ?', body: async () => 'Employee Number,Email\n1,a@nhs.example\n', query: async () => ({ kind: 'esr_people', dryRun: 'true' }), contentType: 'text/csv' },
  'GET /api/v1/imports/:importId': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
  'GET /api/v1/imports/:importId/errors.csv': { own: '? ? ? ? ? ?', other: '? ? ? ? ? ?' },
};
