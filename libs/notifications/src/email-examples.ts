/**
 * Example `data` for every email kind, in the shape the notifiers write to the outbox
 * (InvitationsService, EmailVerificationService, AuthService, LearningNotifier, TalentNotifier, NeighbourhoodNotifier, SessionRemindersService with the links EmailSender adds,
 * LeadDigestService). For template tests, previews and the rendering benchmark.
 */

const PUBLIC_URL = 'https://leadership.example.nhs.uk';

const enrolment = {
  programmeTitle: 'Leading Integrated Care',
  cohortId: '0193a5c2-7d41-7b6e-9a51-3f0d2c8e4b17',
  cohortName: 'West Yorkshire, January 2027',
  cohortStartsAt: '2027-01-11T09:00:00+00:00',
  cohortStartsAtLondon: 'Monday 11 January 2027, 9:00am',
  cohortEndsAtLondon: 'Friday 25 June 2027, 5:00pm',
  givenName: 'Priya',
  enrolmentId: '0193a5c3-1e0b-7f22-8c4d-6a9b0e5f2d31',
  enrolmentUrl: `${PUBLIC_URL}/enrolments/0193a5c3-1e0b-7f22-8c4d-6a9b0e5f2d31`,
};

const session = {
  id: '0193a5c4-9b27-7c03-b6e8-2d4f7a1c0e95',
  sequence: 0,
  title: 'Action learning set 3: leading through conflict',
  kind: 'action_learning_set',
  startsAt: '2026-12-01T09:30:00+00:00',
  endsAt: '2026-12-01T16:30:00+00:00',
  startsAtLondon: 'Tuesday 1 December 2026, 9:30am',
  endsAtLondon: 'Tuesday 1 December 2026, 4:30pm',
  location: 'Room 4, Thackray Building, Leeds General Infirmary, Great George Street, Leeds LS1 3EX',
  onlineUrl: null,
};

const sessionEmail = {
  programmeTitle: enrolment.programmeTitle,
  cohortId: enrolment.cohortId,
  cohortName: enrolment.cohortName,
  cohortStartsAt: enrolment.cohortStartsAt,
  cohortStartsAtLondon: enrolment.cohortStartsAtLondon,
  cohortEndsAtLondon: enrolment.cohortEndsAtLondon,
  session,
  givenName: 'Priya',
};

const nominationId = '0193a5c6-42f8-7a19-a0d3-8e6c1b5f7d24';
const nomination = {
  nominationId,
  target: 'Cohort: West Yorkshire, January 2027 (Leading Integrated Care)',
  nomineeName: "Siobhan O'Connor",
  nominatorName: 'Gareth Jones',
  nominationUrl: `${PUBLIC_URL}/nominations/${nominationId}`,
};

const mentoringId = '0193a5c8-5b1e-7d40-8f2a-1c9e6b3d7a52';
const mentoring = {
  givenName: 'Oluwaseun',
  menteePlace: 'Blackburn with Darwen',
  mentorPlace: 'Morecambe Bay',
  component: 'Integrated intermediate care',
  goal: 'Bring step-up and step-down beds under one team so people leave hospital the day they are ready.',
  mentoringUrl: `${PUBLIC_URL}/neighbourhood/mentoring/${mentoringId}`,
};

const reminder = {
  givenName: 'Priya',
  programmeTitle: enrolment.programmeTitle,
  cohortName: enrolment.cohortName,
  cohortId: enrolment.cohortId,
  session: {
    ...session,
    // The reminder query writes UTC instants; the London wording is the same.
    startsAt: '2026-12-01T09:30:00Z',
    endsAt: '2026-12-01T16:30:00Z',
    location: null,
    onlineUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZjFh%40thread.v2/0',
  },
  unsubscribeUrl: `${PUBLIC_URL}/api/v1/notification-preferences/unsubscribe?token=0193a5b1-0c6e-7d85-9f12-4b7e3a0c6d58.q3Jt8Xz0bYp1mW4sV7nK2dR9fH6gL5cA0eT3uI8oP1w`,
  preferencesUrl: `${PUBLIC_URL}/api/v1/me/notification-preferences`,
};

export const EMAIL_EXAMPLES: Record<string, Record<string, unknown>> = {
  account_invitation: {
    givenName: 'Siobhan',
    acceptUrl: `${PUBLIC_URL}/invitations/accept?token=Qm7vT2xK9pL4sW0yB5cN8dR1fH6gJ3aE2uI9oZ3bV0`,
    expiresAt: '2026-12-17T14:15:00.000Z',
    expiresAtLondon: 'Thursday 17 December 2026, 2:15pm',
  },
  email_verification: {
    givenName: 'Amara',
    verifyUrl: `${PUBLIC_URL}/verify-email?token=Vt4kP8xN2qL6sW1yB7cM3dR9fH5gJ0aE4uI2oZ8bV1`,
    expiresAt: '2026-12-05T14:15:00.000Z',
    expiresAtLondon: 'Saturday 5 December 2026, 2:15pm',
  },
  registration_known_person: {
    givenName: 'Siobhan',
    acceptUrl: `${PUBLIC_URL}/invitations/accept?token=Rk2mT7xJ9pL4sW0yB5cN8dR1fH6gJ3aE2uI9oZ3bV5`,
    expiresAt: '2026-12-17T14:15:00.000Z',
    expiresAtLondon: 'Thursday 17 December 2026, 2:15pm',
  },
  registration_existing_account: {
    givenName: 'Priya',
    signInUrl: `${PUBLIC_URL}/sign-in`,
  },
  sign_in_attempts_alert: {
    givenName: 'Oluwaseun',
    failures: 10,
    windowMinutes: 15,
    signInUrl: `${PUBLIC_URL}/sign-in`,
  },
  password_reset: {
    givenName: 'Amara',
    resetUrl: `${PUBLIC_URL}/reset-password?token=Pw7kR2xN9qL4sW1yB6cM3dT8fH5gJ0aE7uI2oZ4bV3`,
    expiresInMinutes: 60,
    expiresAt: '2026-12-05T15:15:00.000Z',
    expiresAtLondon: 'Saturday 5 December 2026, 3:15pm',
  },
  password_changed: {
    givenName: 'Amara',
    how: 'reset',
    at: '2026-12-05T14:20:00.000Z',
    atLondon: 'Saturday 5 December 2026, 2:20pm',
    resetUrl: `${PUBLIC_URL}/forgotten-password`,
  },
  mfa_disabled: {
    givenName: 'Oluwaseun',
    at: '2026-12-05T14:20:00.000Z',
    atLondon: 'Saturday 5 December 2026, 2:20pm',
    securityUrl: `${PUBLIC_URL}/account/security`,
  },
  mfa_recovery_code_used: {
    givenName: 'Oluwaseun',
    remaining: 9,
    at: '2026-12-05T14:20:00.000Z',
    atLondon: 'Saturday 5 December 2026, 2:20pm',
    securityUrl: `${PUBLIC_URL}/account/security`,
  },

  enrolment_confirmed: { ...enrolment },
  waitlisted: { ...enrolment, waitlistPosition: 3 },
  application_received: { ...enrolment },
  application_approved: { ...enrolment, outcome: 'waitlisted', waitlistPosition: 2 },
  application_rejected: {
    ...enrolment,
    reason: 'This cohort is for people in band 8a roles and above. The Mary Seacole Programme starting in April would suit your current role better.',
  },
  place_offered: { ...enrolment, offerExpiresAt: '2026-12-03T14:15:00.000Z', offerExpiresAtLondon: 'Thursday 3 December 2026, 2:15pm' },
  offer_expired: { ...enrolment },
  promoted_from_waitlist: { ...enrolment },
  session_scheduled: { ...sessionEmail },
  session_changed: {
    ...sessionEmail,
    session: {
      ...session,
      sequence: 2,
      startsAt: '2026-12-01T10:00:00+00:00',
      startsAtLondon: 'Tuesday 1 December 2026, 10:00am',
      location: null,
      onlineUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZjFh%40thread.v2/0',
    },
    changes: {
      startsAt: { from: '2026-12-01T09:30:00+00:00', to: '2026-12-01T10:00:00+00:00' },
      startsAtLondon: { from: 'Tuesday 1 December 2026, 9:30am', to: 'Tuesday 1 December 2026, 10:00am' },
      location: { from: session.location, to: null },
      onlineUrl: { from: null, to: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZjFh%40thread.v2/0' },
    },
  },
  session_cancelled: { ...sessionEmail, session: { ...session, sequence: 1 } },
  cohort_cancelled: {
    programmeTitle: enrolment.programmeTitle,
    cohortId: enrolment.cohortId,
    cohortName: enrolment.cohortName,
    cohortStartsAt: enrolment.cohortStartsAt,
    cohortStartsAtLondon: enrolment.cohortStartsAtLondon,
    cohortEndsAtLondon: enrolment.cohortEndsAtLondon,
    givenName: 'Priya',
  },

  nomination_consent_request: {
    ...nomination,
    givenName: 'Siobhan',
    consentUrl: `${PUBLIC_URL}/nominations/consent?token=Xk3vQ9mB2pL7sT0wY5cN8dR1fH4gJ6aE2uI9oZ3bV0`,
    consentToken: 'Xk3vQ9mB2pL7sT0wY5cN8dR1fH4gJ6aE2uI9oZ3bV0',
    consentExpiresAt: '2026-12-03T14:15:00.000Z',
    consentExpiresAtLondon: 'Thursday 3 December 2026, 2:15pm',
    rationale:
      'Siobhan led the discharge-to-assess pilot across Leeds and Wakefield and brought social care partners with her.\nShe is ready to lead beyond her own organisation.',
  },
  nomination_consented: { ...nomination, givenName: 'Gareth' },
  nomination_declined: { ...nomination, givenName: 'Gareth' },
  nomination_accepted: { ...nomination, givenName: 'Siobhan', outcome: 'enrolled', waitlistPosition: null, audience: 'nominee' },
  nomination_rejected: {
    ...nomination,
    givenName: 'Gareth',
    reason: 'The cohort is for people working across more than one organisation; Siobhan would be a strong candidate for the next intake.',
    audience: 'nominator',
  },
  nomination_line_manager_notice: { ...nomination },

  mentoring_proposed: { ...mentoring, audience: 'mentor', note: null, reflection: null },
  mentoring_accepted: { ...mentoring, audience: 'mentee', note: 'Our frailty MDT meets on Tuesdays; your team is welcome to sit in from January.', reflection: null },
  mentoring_declined: { ...mentoring, audience: 'mentee', note: 'We are mentoring two Places already this winter; please ask us again in the spring.', reflection: null },
  mentoring_closed: {
    ...mentoring,
    audience: 'mentor',
    note: null,
    reflection: 'Daily huddles with community nursing and social care cut the wait for an intermediate care bed from four days to one.\nWe are now running them across all three neighbourhoods.',
  },

  session_reminder_7d: { ...reminder },
  session_reminder_24h: { ...reminder },

  lead_digest: {
    givenName: 'Oluwaseun',
    weekOf: 'Monday 7 December 2026',
    pendingApplications: 4,
    consentedNominations: 1,
    applications: [
      { cohortName: 'West Yorkshire, January 2027', programmeTitle: 'Leading Integrated Care', count: 3 },
      { cohortName: 'Humber and North Yorkshire, March 2027', programmeTitle: 'Leading Integrated Care', count: 1 },
    ],
    nominations: [{ target: 'Aspiring Directors of Nursing', count: 1 }],
    dashboardUrl: `${PUBLIC_URL}/api/docs`,
  },
};
