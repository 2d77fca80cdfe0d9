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
 * to the participant caller, and in `other` to a person working in system B. Routes whose path
 * names a person-owned object also have `peer`: system A's objects, owned by another participant
 * of system A (what a participant must not reach even in their own system). Every cell gets fresh
 * objects, so one cell's change does not decide another's status. Routes without path parameters
 * have only `own` (their scope comes from the body or query, if anywhere).
 *
 * Lists also say who finds a given object in them (`listed`), so a list cannot show what the
 * object's own route would hide.
 *
 * Status 409 where a role is allowed means the check passed and the state of the fresh object was
 * not the one the action needs (e.g. accepting an offer nobody made): authorisation is decided
 * before state. 400 from a public route means it validated a token or body it could not accept.
 *
 * To add a route: add `'METHOD /api/v1/path/:param': { own: '…', peer?: '…', other: '…', body?, query? }`
 * with six statuses per row; `body` and `query` build a valid request from the fresh objects.
 * A path parameter is made by the MatrixObjects maker of the same name, unless `params` names
 * another (the neighbourhood routes' `placeId` is a Place in the programme, `programmePlaceId`).
 * A route that takes its object from the body may have an `other` row too (the body then names
 * system B's objects).
 */

export const CALLERS = ['anonymous', 'participant', 'lead', 'coach', 'systemAdmin', 'nationalAdmin'] as const;
export type Caller = (typeof CALLERS)[number];

/** The fresh objects of one cell; each is created on first use. */
export interface MatrixObjects {
  systemId(): Promise<string>;
  organisationId(): Promise<string>;
  placeId(): Promise<string>;
  /** The owner: the participant caller (own), another participant of system A (peer) or a person of system B (other). */
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
  /**
   * A Place of the system taking part in the neighbourhood programme (wave 1), assessed at level 1
   * in population health management; in `own` the coach caller is its Improvement Coach, in
   * `other` it has no coach. Named so the newest sorts first in the programme's Place list.
   */
  programmePlaceId(): Promise<string>;
  /** Another programme Place of the same system, at level 3 in population health management (so it can mentor in it). */
  mentorPlaceId(): Promise<string>;
  /** A mentoring proposal (national admin's) from the programme Place to the mentor Place, awaiting the mentor's answer. */
  mentoringId(): Promise<string>;
  /** A story of the programme Place (national admin's), not shared nationally: for its staff and coaches only. */
  storyId(): Promise<string>;
  /** A fresh indicator of the catalogue (a rate per 1,000, lower is better). */
  indicatorCode(): Promise<string>;
  /** A unique suffix for names and emails. */
  unique(): string;
}

export interface MatrixEntry {
  /** Six statuses, one per caller in {@link CALLERS} order, for system A's objects. */
  readonly own: string;
  /** For another participant's objects in system A; required when the path names a person, enrolment, nomination or notification. */
  readonly peer?: string;
  /** The same for system B's objects; required when the route has path parameters. */
  readonly other?: string;
  /**
   * For a list: whether the answer names the object (its id anywhere in the body), per caller, in
   * the same order: `y` listed, `n` not listed, `-` the call was refused. The object is created
   * before the call; filter the list (query) down to it so it cannot fall off the first page.
   */
  readonly listed?: { readonly object: Exclude<keyof MatrixObjects, 'unique'>; readonly own: string; readonly peer?: string; readonly other?: string };
  readonly body?: (o: MatrixObjects) => Promise<unknown>;
  readonly query?: (o: MatrixObjects) => Promise<Record<string, string>>;
  /** Content type of the body when it is not JSON (the body is then a string). */
  readonly contentType?: string;
  /** Path parameters made by a maker of another name (default: the maker named like the parameter), e.g. `{ placeId: 'programmePlaceId' }`. */
  readonly params?: Readonly<Record<string, Exclude<keyof MatrixObjects, 'unique'>>>;
}

const cohortBody = async (o: MatrixObjects) => ({ name: `Cohort ${o.unique()}`, capacity: 20, enrolmentOpensAt: '2027-01-04T09:00:00Z', enrolmentClosesAt: '2027-02-26T17:00:00Z', startsAt: '2027-03-15T09:00:00Z', endsAt: '2027-09-30T17:00:00Z', requiresApproval: false, waitlistEnabled: true });

export const AUTHZ_MATRIX: Record<string, MatrixEntry> = {
  'GET /health/live': { own: '200 200 200 200 200 200' },
  'GET /health/ready': { own: '200 200 200 200 200 200' },
  'POST /api/v1/auth/register': { own: '201 201 201 201 201 201', body: async (o) => ({ email: `register.${o.unique()}@nhs.example`, password: 'a long enough password', givenName: 'Grace', familyName: 'Mensah' }) },
  'POST /api/v1/auth/verify-email': { own: '404 404 404 404 404 404', body: async () => ({ token: 'x'.repeat(43) }) },
  'POST /api/v1/auth/verify-email/resend': { own: '401 409 409 409 409 409' },
  'POST /api/v1/auth/login': { own: '200 200 200 200 200 200', other: '200 200 200 200 200 200', body: async (o) => ({ email: await o.personEmail(), password: 'correct horse battery staple' }) },
  'POST /api/v1/auth/refresh': { own: '401 401 401 401 401 401', body: async () => ({ refreshToken: 'x'.repeat(43) }) },
  'POST /api/v1/auth/accept-invitation': { own: '400 400 400 400 400 400', body: async () => ({ token: 'x'.repeat(43), password: 'a long enough password' }) },
  'POST /api/v1/auth/logout': { own: '401 204 204 204 204 204', body: async () => ({}) },
  'GET /api/v1/me': { own: '401 200 200 200 200 200' },
  'GET /api/v1/me/equality': { own: '401 404 404 404 404 404' },
  'PUT /api/v1/me/equality': { own: '401 200 200 200 200 200', body: async () => ({ consent: true, ageBand: '35_44' }) },
  'DELETE /api/v1/me/equality': { own: '401 204 204 204 204 204' },
  'POST /api/v1/accounts': { own: '401 403 403 403 201 201', other: '401 403 403 403 400 201', body: async (o) => ({ email: `account.${o.unique()}@nhs.example`, givenName: 'Ada', familyName: 'Okafor', roles: ['participant'], systemIds: [], organisationId: await o.organisationId() }) },
  'GET /api/v1/regions': { own: '401 200 200 200 200 200' },
  'GET /api/v1/systems': { own: '401 200 200 200 200 200' },
  'POST /api/v1/systems': { own: '401 403 403 403 403 201', body: async (o) => ({ name: `Matrix ICS ${o.unique()}`, odsCode: `Q${o.unique().slice(-4).toUpperCase()}`, kind: 'ICS', region: 'Y62' }) },
  'GET /api/v1/systems/:systemId': { own: '401 200 200 200 200 200', other: '401 200 404 404 404 200' },
  'GET /api/v1/systems/:systemId/places': { own: '401 200 200 200 200 200', other: '401 200 404 404 404 200', listed: { object: 'placeId', own: '- y y y y y', other: '- y - - - y' } },
  'POST /api/v1/systems/:systemId/places': { own: '401 403 403 403 201 201', other: '401 403 403 403 404 201', body: async (o) => ({ name: `Place ${o.unique()}` }) },
  'GET /api/v1/organisations': { own: '401 200 200 200 200 200', other: '401 200 404 404 404 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/organisations': { own: '401 403 403 403 201 201', other: '401 403 403 403 400 201', body: async (o) => ({ name: `Trust ${o.unique()}`, odsCode: `R${o.unique().slice(-5).toUpperCase()}`, type: 'acute_trust', systemId: await o.systemId() }) },
  'GET /api/v1/organisations/:organisationId': { own: '401 200 200 200 200 200', other: '401 200 404 404 404 200' },
  'GET /api/v1/people': { own: '401 403 200 403 200 200', peer: '401 403 200 403 200 200', other: '401 403 200 403 200 200', query: async (o) => ({ email: await o.personEmail() }), listed: { object: 'personId', own: '- - y - y y', peer: '- - y - y y', other: '- - n - n y' } },
  'GET /api/v1/people/:personId': { own: '401 200 200 200 200 200', peer: '401 404 200 200 200 200', other: '401 404 404 404 404 200' },
  'PATCH /api/v1/people/:personId': { own: '401 200 403 403 200 200', peer: '401 404 403 403 200 200', other: '401 404 404 404 404 200', body: async () => ({ jobTitle: 'Director of Nursing' }) },
  'POST /api/v1/people/:personId/employment/confirm': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/people/:personId/employment/reject': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'GET /api/v1/programmes': { own: '401 200 200 200 200 200', other: '401 200 200 200 200 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/programmes': { own: '401 403 201 403 201 201', other: '401 403 403 403 403 201', body: async (o) => ({ title: `Programme ${o.unique()}`, description: 'About it', level: 'system', systemId: await o.systemId() }) },
  'GET /api/v1/programmes/:programmeId': { own: '401 200 200 200 200 200', other: '401 404 404 404 404 200' },
  'PATCH /api/v1/programmes/:programmeId': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ title: 'Renamed programme' }) },
  'POST /api/v1/programmes/:programmeId/cohorts': { own: '401 403 201 403 201 201', other: '401 403 404 403 404 201', body: cohortBody },
  'GET /api/v1/cohorts': { own: '401 200 200 200 200 200', other: '401 200 200 200 200 200', query: async (o) => ({ programmeId: await o.programmeId() }), listed: { object: 'cohortId', own: '- y y y y y', other: '- n n n n y' } },
  'GET /api/v1/cohorts/:cohortId': { own: '401 200 200 200 200 200', other: '401 404 404 404 404 200' },
  'PATCH /api/v1/cohorts/:cohortId': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ name: 'Renamed cohort' }) },
  'POST /api/v1/cohorts/:cohortId/open': { own: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/cohorts/:cohortId/close': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200' },
  'POST /api/v1/cohorts/:cohortId/start': { own: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/cohorts/:cohortId/complete': { own: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/cohorts/:cohortId/cancel': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200' },
  'POST /api/v1/cohorts/:cohortId/enrolments': { own: '401 201 201 403 201 201', other: '401 404 404 404 404 201', body: async (o) => ({ personId: await o.personId() }) },
  'GET /api/v1/cohorts/:cohortId/enrolments': { own: '401 403 200 200 200 200', peer: '401 403 200 200 200 200', other: '401 403 404 404 404 200', listed: { object: 'enrolmentId', own: '- - y y y y', peer: '- - y y y y', other: '- - - - - y' } },
  'POST /api/v1/cohorts/:cohortId/sessions': { own: '401 403 201 403 201 201', other: '401 403 404 403 404 201', body: async () => ({ title: 'Opening day', kind: 'workshop', startsAt: '2027-03-01T09:00:00Z', endsAt: '2027-03-01T12:00:00Z', location: 'Preston' }) },
  'GET /api/v1/cohorts/:cohortId/sessions': { own: '401 200 200 200 200 200', other: '401 404 404 404 404 200', listed: { object: 'sessionId', own: '- y y y y y', other: '- - - - - y' } },
  'GET /api/v1/me/enrolments': { own: '401 200 200 200 200 200', peer: '401 200 200 200 200 200', other: '401 200 200 200 200 200', listed: { object: 'enrolmentId', own: '- y n n n n', peer: '- n n n n n', other: '- n n n n n' } },
  'GET /api/v1/enrolments/:enrolmentId': { own: '401 200 200 200 200 200', peer: '401 404 200 200 200 200', other: '401 404 404 404 404 200' },
  'POST /api/v1/enrolments/:enrolmentId/withdraw': { own: '401 200 200 403 200 200', peer: '401 404 200 403 200 200', other: '401 404 404 404 404 200' },
  'POST /api/v1/enrolments/:enrolmentId/approve': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/enrolments/:enrolmentId/reject': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409', body: async () => ({ reason: 'Not this year' }) },
  'POST /api/v1/enrolments/:enrolmentId/accept-offer': { own: '401 409 403 403 403 403', peer: '401 404 403 403 403 403', other: '401 404 404 404 404 403' },
  'POST /api/v1/enrolments/:enrolmentId/decline-offer': { own: '401 409 403 403 403 403', peer: '401 404 403 403 403 403', other: '401 404 404 404 404 403' },
  'POST /api/v1/enrolments/:enrolmentId/complete': { own: '401 403 200 403 200 200', peer: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ outcome: 'completed' }) },
  'GET /api/v1/sessions/:sessionId': { own: '401 200 200 200 200 200', other: '401 404 404 404 404 200' },
  'PATCH /api/v1/sessions/:sessionId': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ title: 'Renamed session' }) },
  'POST /api/v1/sessions/:sessionId/cancel': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200' },
  'GET /api/v1/sessions/:sessionId/calendar.ics': { own: '401 404 200 200 200 200', other: '401 404 404 404 404 200' },
  'GET /api/v1/sessions/:sessionId/attendance': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200' },
  'PUT /api/v1/sessions/:sessionId/attendance': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async (o) => ({ records: [{ enrolmentId: await o.enrolmentId(), status: 'present' }] }) },
  'GET /api/v1/talent-pools': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'POST /api/v1/talent-pools': { own: '401 403 201 403 201 201', other: '401 403 403 403 403 201', body: async (o) => ({ systemId: await o.systemId(), name: `Pool ${o.unique()}`, purpose: 'Succession' }) },
  'GET /api/v1/talent-pools/:talentPoolId': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200' },
  'POST /api/v1/nominations': { own: '401 403 201 403 201 201', other: '401 403 404 403 404 201', body: async (o) => ({ nominee: { personId: await o.personId() }, talentPoolId: await o.talentPoolId(), readiness: 'ready_now', performance: 2, potential: 3, rationale: 'Led the frailty work.' }) },
  'GET /api/v1/nominations': { own: '401 403 200 403 200 200', peer: '401 403 200 403 200 200', other: '401 403 404 403 404 200', query: async (o) => ({ systemId: await o.systemId() }), listed: { object: 'nominationId', own: '- - y - y y', peer: '- - y - y y', other: '- - - - - y' } },
  'GET /api/v1/me/nominations': { own: '401 200 200 200 200 200', peer: '401 200 200 200 200 200', other: '401 200 200 200 200 200', listed: { object: 'nominationId', own: '- y n n n n', peer: '- n n n n n', other: '- n n n n n' } },
  'POST /api/v1/nominations/consent': { own: '400 400 400 400 400 400', body: async () => ({ token: 'x'.repeat(43), decision: 'consent' }) },
  'GET /api/v1/nominations/:nominationId': { own: '401 200 200 404 200 200', peer: '401 404 200 404 200 200', other: '401 404 404 404 404 200' },
  'POST /api/v1/nominations/:nominationId/consent': { own: '401 200 403 404 403 403', peer: '401 404 403 404 403 403', other: '401 404 404 404 404 403', body: async () => ({ decision: 'consent' }) },
  'POST /api/v1/nominations/:nominationId/accept': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409' },
  'POST /api/v1/nominations/:nominationId/reject': { own: '401 403 409 403 409 409', peer: '401 403 409 403 409 409', other: '401 403 404 403 404 409', body: async () => ({ reason: 'Not this round' }) },
  'POST /api/v1/nominations/:nominationId/withdraw': { own: '401 200 200 404 200 200', peer: '401 404 200 404 200 200', other: '401 404 404 404 404 200', body: async () => ({ reason: 'Changed my mind' }) },
  'POST /api/v1/people/:personId/appointments': { own: '401 403 201 403 201 201', peer: '401 403 201 403 201 201', other: '401 403 404 403 404 201', body: async (o) => ({ post: 'Director of Nursing', organisationId: await o.organisationId(), appointedOn: '2026-11-02' }) },
  'GET /api/v1/people/:personId/pipeline': { own: '401 200 200 200 200 200', peer: '401 404 200 200 200 200', other: '401 404 404 404 404 200' },
  'GET /api/v1/notifications': { own: '401 403 403 403 403 200', peer: '401 403 403 403 403 200', other: '401 403 403 403 403 200', query: async (o) => ({ recipient: await o.personEmail() }), listed: { object: 'notificationId', own: '- - - - - y', peer: '- - - - - y', other: '- - - - - y' } },
  'GET /api/v1/notifications/metrics': { own: '401 403 403 403 403 200' },
  'POST /api/v1/notifications/:notificationId/requeue': { own: '401 403 403 403 403 409', peer: '401 403 403 403 403 409', other: '401 403 403 403 403 409' },
  'GET /api/v1/me/notification-preferences': { own: '401 200 200 200 200 200' },
  'PUT /api/v1/me/notification-preferences': { own: '401 200 200 200 200 200', body: async () => ({ reminders: false }) },
  'GET /api/v1/notification-preferences/unsubscribe': { own: '200 200 200 200 200 200', query: async () => ({ token: 'x'.repeat(43) }) },
  'POST /api/v1/notification-preferences/unsubscribe': { own: '400 400 400 400 400 400', query: async () => ({ token: 'x'.repeat(43) }) },
  'GET /api/v1/reports/pipeline': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/reports/equality': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/reports/cohorts/:cohortId': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200' },
  'GET /api/v1/reports/pipeline/people': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200', query: async (o) => ({ systemId: await o.systemId() }) },
  'GET /api/v1/me/data-export': { own: '401 200 200 200 200 200' },
  'GET /api/v1/people/:personId/data-export': { own: '401 200 403 403 200 200', peer: '401 404 403 403 200 200', other: '401 404 404 404 404 200' },
  'POST /api/v1/people/:personId/erasure': { own: '401 403 403 403 403 200', peer: '401 404 403 403 403 200', other: '401 404 404 404 404 200', body: async () => ({ reason: 'Their request under UK GDPR article 17, ref 1234' }) },
  'GET /api/v1/admin/retention': { own: '401 403 403 403 403 200' },
  'POST /api/v1/imports': { own: '401 403 403 403 202 202', body: async () => 'Employee Number,Email\n1,a@nhs.example\n', query: async () => ({ kind: 'esr_people', dryRun: 'true' }), contentType: 'text/csv' },
  'GET /api/v1/imports/:importId': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200' },
  'GET /api/v1/imports/:importId/errors.csv': { own: '401 403 403 403 200 200', other: '401 403 403 403 404 200' },
  // Multi-factor sign-in and passwords. Tokens the API never issued: the public routes refuse them the same way for everyone.
  'POST /api/v1/auth/login/mfa': { own: '401 401 401 401 401 401', body: async () => ({ challengeToken: 'x'.repeat(43), code: '123456' }) },
  'POST /api/v1/auth/password-reset': { own: '202 202 202 202 202 202', body: async (o) => ({ email: await o.personEmail() }) },
  'POST /api/v1/auth/password-reset/confirm': { own: '404 404 404 404 404 404', body: async () => ({ token: 'x'.repeat(43), password: 'a long enough password' }) },
  'POST /api/v1/me/mfa/totp': { own: '401 201 201 201 409 409' },
  // The participant is fresh and has started no set-up (409); the lead and coach are shared by every cell and
  // started one on the row above, so theirs is a wrong code (400); the admins have MFA on (409).
  'POST /api/v1/me/mfa/totp/confirm': { own: '401 409 400 400 409 409', body: async () => ({ code: '123456' }) },
  'DELETE /api/v1/me/mfa/totp': { own: '401 409 409 409 409 409', body: async () => ({ code: '123456' }) },
  'POST /api/v1/me/password': { own: '401 204 204 204 204 204', body: async (o) => ({ currentPassword: 'correct horse battery staple', newPassword: `a new long password ${o.unique()}` }) },
  'DELETE /api/v1/me/sessions': { own: '401 204 204 204 204 204' },
  // Person invitations and bulk enrolment.
  'POST /api/v1/people/invitations': { own: '401 403 403 403 200 200', other: '401 403 403 403 200 200', body: async (o) => ({ personIds: [await o.personId()] }) },
  'POST /api/v1/cohorts/:cohortId/enrolments/bulk': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async (o) => `email\n${await o.personEmail()}\n`, contentType: 'text/csv' },
  // The neighbourhood health programme: its Places, their records, the Intelligence Centre, practices, mentoring and stories.
  'GET /api/v1/neighbourhood/places': { own: '401 403 200 200 200 200', other: '401 403 200 200 200 200', query: async (o) => ({ systemId: await o.systemId(), limit: '100' }), listed: { object: 'programmePlaceId', own: '- - y y y y', other: '- - n n n y' } },
  'POST /api/v1/neighbourhood/places': { own: '401 403 403 403 403 201', other: '401 403 403 403 403 201', body: async (o) => ({ placeId: await o.placeId(), wave: 2, joinedOn: '2026-09-01', population: 48_000 }) },
  'GET /api/v1/neighbourhood/places/:placeId': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' } },
  'PUT /api/v1/neighbourhood/places/:placeId/coaches': { own: '401 403 403 403 403 200', other: '401 403 403 403 404 200', params: { placeId: 'programmePlaceId' }, body: async () => ({ coachPersonIds: [] }) },
  'GET /api/v1/neighbourhood/places/:placeId/assessments': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' } },
  'POST /api/v1/neighbourhood/places/:placeId/assessments': { own: '401 403 201 201 201 201', other: '401 403 404 404 404 201', params: { placeId: 'programmePlaceId' }, body: async () => ({ assessedOn: '2026-11-01', components: { modern_general_practice: { level: 2, evidence: 'Care navigation in every practice' } } }) },
  'GET /api/v1/neighbourhood/places/:placeId/coaching-sessions': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' } },
  'POST /api/v1/neighbourhood/places/:placeId/coaching-sessions': { own: '401 403 403 201 403 403', other: '401 403 403 404 403 403', params: { placeId: 'programmePlaceId' }, body: async () => ({ heldOn: '2026-11-12', component: 'neighbourhood_mdts', attendees: ['Clinical director', 'Community matron'], summary: 'Reviewed the MDT caseload' }) },
  'PUT /api/v1/neighbourhood/places/:placeId/indicators/:code/values': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId', code: 'indicatorCode' }, body: async () => ({ values: [{ period: '2026-01', numerator: 14 }, { period: '2026-02', numerator: 12 }] }) },
  'PUT /api/v1/neighbourhood/places/:placeId/indicators/:code/baseline': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId', code: 'indicatorCode' }, body: async () => ({ from: '2026-01', to: '2026-06' }) },
  'GET /api/v1/neighbourhood/places/:placeId/indicators/:code': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId', code: 'indicatorCode' } },
  'GET /api/v1/neighbourhood/places/:placeId/mentor-suggestions': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' }, query: async () => ({ component: 'population_health_management' }) },
  'GET /api/v1/neighbourhood/places/:placeId/stories': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' }, listed: { object: 'storyId', own: '- - y y y y', other: '- - - - - y' } },
  'POST /api/v1/neighbourhood/places/:placeId/stories': { own: '401 403 201 201 201 201', other: '401 403 404 404 404 201', params: { placeId: 'programmePlaceId' }, body: async () => ({ title: 'Mrs B stayed at home', text: 'The MDT arranged a step-up bed at home.', component: 'intermediate_care' }) },
  'GET /api/v1/neighbourhood/places/:placeId/mentoring': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200', params: { placeId: 'programmePlaceId' }, listed: { object: 'mentoringId', own: '- - y y y y', other: '- - - - - y' } },
  'GET /api/v1/neighbourhood/indicators': { own: '401 200 200 200 200 200' },
  'POST /api/v1/neighbourhood/indicators': { own: '401 403 403 403 403 201', body: async (o) => ({ code: `matrix_new_${o.unique()}`, name: `Matrix new indicator ${o.unique()}`, unit: 'count', betterWhen: 'lower' }) },
  'GET /api/v1/neighbourhood/intelligence': { own: '401 403 200 200 200 200', other: '401 403 200 200 200 200', query: async (o) => ({ indicator: await o.indicatorCode() }), listed: { object: 'programmePlaceId', own: '- - y y y y', other: '- - n n n y' } },
  'GET /api/v1/neighbourhood/practices': { own: '401 200 200 200 200 200', query: async () => ({ component: 'neighbourhood_mdts' }) },
  'POST /api/v1/neighbourhood/practices': { own: '401 403 201 201 201 201', other: '401 403 404 404 404 201', body: async (o) => ({ placeId: await o.programmePlaceId(), title: `Daily huddle ${o.unique()}`, summary: 'Ten minutes each morning', component: 'neighbourhood_mdts' }) },
  'POST /api/v1/neighbourhood/mentoring': { own: '401 403 201 201 201 201', other: '401 403 404 404 404 201', body: async (o) => ({ menteePlaceId: await o.programmePlaceId(), mentorPlaceId: await o.mentorPlaceId(), component: 'population_health_management', goal: 'Risk stratification that the practices use' }) },
  'GET /api/v1/neighbourhood/mentoring/:mentoringId': { own: '401 403 200 200 200 200', other: '401 403 404 404 404 200' },
  'POST /api/v1/neighbourhood/mentoring/:mentoringId/accept': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ note: 'Happy to help' }) },
  'POST /api/v1/neighbourhood/mentoring/:mentoringId/decline': { own: '401 403 200 403 200 200', other: '401 403 404 403 404 200', body: async () => ({ note: 'Not this quarter' }) },
  'POST /api/v1/neighbourhood/mentoring/:mentoringId/close': { own: '401 403 409 403 409 409', other: '401 403 404 403 404 409', body: async () => ({ reflection: 'What we learnt' }) },
  'GET /api/v1/neighbourhood/stories': { own: '401 403 200 200 200 200', other: '401 403 200 200 200 200', query: async () => ({ component: 'intermediate_care' }), listed: { object: 'storyId', own: '- - y y y y', other: '- - n n n y' } },
};
