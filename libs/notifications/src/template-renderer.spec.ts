import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { EMAIL_EXAMPLES } from './email-examples';
import { DIGEST_KINDS, REMINDER_KINDS } from './notification-kinds';
import { DEFAULT_TEMPLATES_DIR, RenderedEmail, TemplateRenderer, TemplateRenderError } from './template-renderer';

// The kinds with an example email. Notifications may not import the feature libraries that write
// the outbox; test/email-kinds.e2e-spec.ts checks this list against the kinds they declare.
const ALL_KINDS = Object.keys(EMAIL_EXAMPLES);

/** What a reader must find in both parts of each example email (as text; the HTML check escapes it). */
const KEY_CONTENT: Record<string, string[]> = {
  account_invitation: ['Dear Siobhan', 'set up an account', 'by Thursday 17 December 2026, 2:15pm', 'https://leadership.example.nhs.uk/invitations/accept?token=Qm7vT2xK9pL4sW0yB5cN8dR1fH6gJ3aE2uI9oZ3bV0'],
  email_verification: ['Dear Amara', 'confirm this is your email address', 'by Saturday 5 December 2026, 2:15pm', 'https://leadership.example.nhs.uk/verify-email?token=Vt4kP8xN2qL6sW1yB7cM3dR9fH5gJ0aE4uI2oZ8bV1'],
  registration_known_person: ['Dear Siobhan', 'You already have a place in the directory', 'by Thursday 17 December 2026, 2:15pm', 'https://leadership.example.nhs.uk/invitations/accept?token=Rk2mT7xJ9pL4sW0yB5cN8dR1fH6gJ3aE2uI9oZ3bV5'],
  registration_existing_account: ['Dear Priya', 'You already have an account', 'your account has not changed'],
  sign_in_attempts_alert: ['Dear Oluwaseun', '10 attempts', 'in the last 15 minutes'],
  password_reset: ['Dear Amara', 'reset the password', 'by Saturday 5 December 2026, 3:15pm', '60 minutes', 'https://leadership.example.nhs.uk/reset-password?token=Pw7kR2xN9qL4sW1yB6cM3dT8fH5gJ0aE7uI2oZ4bV3'],
  password_changed: ['Dear Amara', 'reset from an emailed link', 'Saturday 5 December 2026, 2:20pm', 'signed out on every device'],
  mfa_disabled: ['Dear Oluwaseun', 'was turned off', 'Saturday 5 December 2026, 2:20pm', 'recovery codes no longer work'],
  mfa_recovery_code_used: ['Dear Oluwaseun', 'recovery codes was used', '9 recovery codes left'],
  enrolment_confirmed: ['Dear Priya', 'Leading Integrated Care', 'West Yorkshire, January 2027', 'Monday 11 January 2027 to Friday 25 June 2027'],
  waitlisted: ['Dear Priya', 'Leading Integrated Care', 'number 3 on the waiting list'],
  application_received: ['Dear Priya', 'Leading Integrated Care', 'review your application'],
  application_approved: ['Dear Priya', 'has approved your application', 'number 2'],
  application_rejected: ['Dear Priya', 'was not successful', 'band 8a roles and above'],
  place_offered: ['Dear Priya', 'accept this place by Thursday 3 December 2026, 2:15pm', 'https://leadership.example.nhs.uk/enrolments/0193a5c3-1e0b-7f22-8c4d-6a9b0e5f2d31'],
  offer_expired: ['Dear Priya', 'The offer has now expired', 'Leading Integrated Care'],
  promoted_from_waitlist: ['Dear Priya', 'it is now yours', 'Monday 11 January 2027'],
  session_scheduled: ['Dear Priya', 'Action learning set 3: leading through conflict', 'Tuesday 1 December 2026, 9:30am to 4:30pm', 'Action learning set', 'Leeds LS1 3EX'],
  session_changed: ['Dear Priya', 'What has changed', 'Tuesday 1 December 2026, 10:00am to 4:30pm'],
  session_cancelled: ['Dear Priya', 'has been cancelled and will not take place', 'Tuesday 1 December 2026, 9:30am to 4:30pm'],
  cohort_cancelled: ['Dear Priya', 'West Yorkshire, January 2027', 'Monday 11 January 2027 to Friday 25 June 2027'],
  nomination_consent_request: [
    'Dear Siobhan',
    'Gareth Jones has nominated you',
    'Cohort: West Yorkshire, January 2027 (Leading Integrated Care)',
    'discharge-to-assess pilot',
    'by Thursday 3 December 2026, 2:15pm',
    'https://leadership.example.nhs.uk/nominations/consent?token=Xk3vQ9mB2pL7sT0wY5cN8dR1fH4gJ6aE2uI9oZ3bV0',
  ],
  nomination_consented: ['Dear Gareth', "Siobhan O'Connor has agreed to your nomination"],
  nomination_declined: ['Dear Gareth', "Siobhan O'Connor has decided not to go ahead"],
  nomination_accepted: ['Dear Siobhan', 'accepted your nomination for', 'You now have a place in the cohort'],
  nomination_rejected: ['Dear Gareth', "your nomination of Siobhan O'Connor", 'strong candidate for the next intake'],
  nomination_line_manager_notice: ['Hello,', "Gareth Jones has nominated Siobhan O'Connor", 'as their line manager'],
  mentoring_proposed: ['Dear Oluwaseun', 'Blackburn with Darwen has asked Morecambe Bay to mentor it in', 'Integrated intermediate care', 'Please accept or decline the proposal', 'step-up and step-down beds'],
  mentoring_accepted: ['Dear Oluwaseun', 'Morecambe Bay has agreed to mentor Blackburn with Darwen', 'sit in from January'],
  mentoring_declined: ['Dear Oluwaseun', 'Morecambe Bay has declined the proposal', 'You can ask another Place'],
  mentoring_closed: ['Dear Oluwaseun', 'has closed', 'What was learnt', 'from four days to one'],
  session_reminder_7d: ['Dear Priya', 'Action learning set 3: leading through conflict', 'Tuesday 1 December 2026, 9:30am to 4:30pm'],
  session_reminder_24h: ['Dear Priya', 'Action learning set 3: leading through conflict', 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZjFh%40thread.v2/0'],
  lead_digest: ['Dear Oluwaseun', 'week beginning Monday 7 December 2026', 'West Yorkshire, January 2027: 3 applications', 'Aspiring Directors of Nursing: 1 nomination'],
};

/** The call to action each email links to, where its data has one. */
const CALL_TO_ACTION: Record<string, string> = {
  account_invitation: 'acceptUrl',
  email_verification: 'verifyUrl',
  registration_known_person: 'acceptUrl',
  registration_existing_account: 'signInUrl',
  sign_in_attempts_alert: 'signInUrl',
  password_reset: 'resetUrl',
  password_changed: 'resetUrl',
  mfa_disabled: 'securityUrl',
  mfa_recovery_code_used: 'securityUrl',
  place_offered: 'enrolmentUrl',
  nomination_consent_request: 'consentUrl',
  nomination_consented: 'nominationUrl',
  nomination_declined: 'nominationUrl',
  nomination_accepted: 'nominationUrl',
  nomination_rejected: 'nominationUrl',
  lead_digest: 'dashboardUrl',
  mentoring_proposed: 'mentoringUrl',
  mentoring_accepted: 'mentoringUrl',
  mentoring_declined: 'mentoringUrl',
  mentoring_closed: 'mentoringUrl',
};

const HOSTILE = '<script>alert(1)</script> "quotes" & ampersands';
const HOSTILE_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; &amp; ampersands';

const escape = (text: string): string => Handlebars.escapeExpression(text);
const example = (kind: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ ...structuredClone(EMAIL_EXAMPLES[kind]!), ...overrides });

function expectPlainText(text: string): void {
  expect(text).not.toMatch(/<\/?[a-z][a-z0-9]*(\s[^>]*)?\/?>/i);
  expect(text).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
}

describe('TemplateRenderer', () => {
  const renderer = TemplateRenderer.fromDirectory();
  const render = (kind: string, overrides: Record<string, unknown> = {}): RenderedEmail => renderer.render(kind, example(kind, overrides));

  it('has all three templates, and an example, for every kind the platform writes to the outbox', () => {
    expect(() => renderer.assertCovers(ALL_KINDS)).not.toThrow();
    expect(renderer.kinds()).toEqual([...ALL_KINDS].sort());
    expect(ALL_KINDS).toEqual(expect.arrayContaining([...REMINDER_KINDS, ...DIGEST_KINDS]));
  });

  describe.each(ALL_KINDS)('%s', (kind) => {
    const email = render(kind);

    it('has a one-line subject, also used as the HTML title', () => {
      expect(email.subject.length).toBeGreaterThan(10);
      expect(email.subject).toBe(email.subject.replace(/\s+/g, ' ').trim());
      expect(email.subject).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
      expect(email.html).toContain(`<title>${escape(email.subject)}</title>`);
    });

    it('says what happened in both parts', () => {
      for (const content of KEY_CONTENT[kind]!) {
        expect(email.text).toContain(content);
        expect(email.html).toContain(escape(content));
      }
    });

    it('is accessible HTML in the platform layout', () => {
      expect(email.html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB"/);
      expect(email.html).toMatch(/<h1 [^>]*>[^<]+<\/h1>/);
      expect(email.html).toContain('bgcolor="#005EB8"');
      expect(email.html).toContain('>System Leadership Platform</p>');
      expect(email.html).toContain('max-width:600px');
      expect(email.html).toContain('We sent you this');
      expect(email.html).not.toContain('{{');
    });

    it('has a plain-text part without markup', () => {
      expectPlainText(email.text);
      expect(email.text).toMatch(/^System Leadership Platform\n=+\n\n/);
      expect(email.text).toContain('We sent you this');
      expect(email.text).not.toMatch(/\n{3}/);
    });

    if (CALL_TO_ACTION[kind]) {
      it('links its call to action as a button, and spells the link out in the text', () => {
        const url = EMAIL_EXAMPLES[kind]![CALL_TO_ACTION[kind]!] as string;
        expect(email.html).toMatch(new RegExp(`<td class="slp-button"[^>]*>\\s*<a [^>]*href="${escapeRegExp(escape(url))}"`));
        expect(email.text).toContain(`\n${url}\n`);
      });
    }
  });

  describe('wording that depends on the data', () => {
    it('invites someone who joined after a session was scheduled in words that fit, with the same details', () => {
      const late = render('session_scheduled', { joinedAfterScheduling: true });
      expect(late.subject).toBe('Session invitation: Action learning set 3: leading through conflict, Tuesday 1 December 2026, 9:30am');
      expect(late.text).toContain('You now have a place on Leading Integrated Care, and your cohort has this session coming up.');
      expect(late.text).not.toContain('A new session has been added');
      expect(late.text).toContain('Tuesday 1 December 2026, 9:30am to 4:30pm');
      expect(render('session_scheduled').text).toContain('A new session has been added to your cohort of Leading Integrated Care.');
    });

    it('links the offer to the enrolment, and still renders an offer written before the link existed', () => {
      const offer = render('place_offered');
      expect(offer.text).toContain('Accept or decline the place here');
      const { enrolmentUrl: _, ...older } = example('place_offered');
      const legacy = renderer.render('place_offered', older);
      expect(legacy.text).toContain('go to your enrolments to accept or decline the place');
      expect(legacy.text).not.toContain('/enrolments/');
    });

    it('tells an approved applicant about their place, or their waiting list position', () => {
      const enrolled = render('application_approved', { outcome: 'enrolled', waitlistPosition: null });
      expect(enrolled.subject).toBe('Your application for Leading Integrated Care has been approved');
      expect(enrolled.text).toContain('You have a place. The cohort runs from Monday 11 January 2027 to Friday 25 June 2027.');
      expect(enrolled.text).not.toContain('waiting list.');

      const waiting = render('application_approved');
      expect(waiting.subject).toBe('Your application for Leading Integrated Care has been approved: you are on the waiting list');
      expect(waiting.html).toContain('<strong>number 2</strong> on the waiting list');
    });

    it('words an accepted nomination for the nominee and for the nominator', () => {
      const nominee = render('nomination_accepted', { audience: 'nominee', givenName: 'Siobhan' });
      const nominator = render('nomination_accepted', { audience: 'nominator', givenName: 'Gareth' });
      expect(nominee.subject).toBe('Your nomination has been accepted');
      expect(nominator.subject).toBe("Your nomination of Siobhan O'Connor has been accepted");
      expect(nominee.text).toContain('You now have a place in the cohort.');
      expect(nominator.text).toContain("Siobhan O'Connor now has a place in the cohort.");
      expect(nominee.text).toContain('because Gareth Jones nominated you');
      expect(nominator.text).toContain("because you nominated Siobhan O'Connor");
    });

    it('renders an accepted nomination into a pool or programme, whose data has no waitlist position', () => {
      const { waitlistPosition: _, ...data } = example('nomination_accepted', { outcome: 'member' });
      expect(renderer.render('nomination_accepted', data).text).toContain('You are now a member.');
      expect(render('nomination_accepted', { outcome: 'waitlisted', waitlistPosition: 4, audience: 'nominator' }).text).toContain(
        "Siobhan O'Connor is on its waiting list at number 4.",
      );
    });

    it('words a rejected nomination for the nominee and for the nominator', () => {
      const nominee = render('nomination_rejected', { audience: 'nominee', givenName: 'Siobhan' });
      const nominator = render('nomination_rejected');
      expect(nominee.subject).toBe('Your nomination was not accepted');
      expect(nominator.subject).toBe("Your nomination of Siobhan O'Connor was not accepted");
      expect(nominee.text).toContain('This does not stop you being nominated');
      expect(nominator.text).toContain("we have told Siobhan O'Connor");
    });

    it('shows what changed in a session, in words, without the machine fields', () => {
      const { html, text } = render('session_changed', {
        changes: {
          ...(EMAIL_EXAMPLES.session_changed!.changes as object),
          kind: { from: 'workshop', to: 'action_learning_set' },
        },
      });
      expect(text).toContain('Starts\n  Was: Tuesday 1 December 2026, 9:30am\n  Now: Tuesday 1 December 2026, 10:00am\n');
      expect(text).toContain('Location\n  Was: Room 4, Thackray Building, Leeds General Infirmary, Great George Street, Leeds LS1 3EX\n  Now: Not set\n');
      expect(text).toContain('Online joining link\n  Was: Not set\n  Now: https://teams.microsoft.com/');
      expect(text).toContain('Type of session\n  Was: Workshop\n  Now: Action learning set\n');
      expect(html).toContain('<strong>Starts</strong><br>Was: Tuesday 1 December 2026, 9:30am<br>Now: <strong>Tuesday 1 December 2026, 10:00am</strong>');
      expect(text).not.toContain('2026-12-01T10:00:00');
      expect(html).not.toContain('2026-12-01T10:00:00');
    });

    it('shows where a session is: a place, an online link, or both', () => {
      const inPerson = render('session_scheduled');
      expect(inPerson.text).toContain('Where: Room 4, Thackray Building');
      expect(inPerson.text).not.toContain('Join online');
      expect(inPerson.html).not.toContain('Join the session online');

      const online = render('session_reminder_24h');
      expect(online.text).not.toContain('Where:');
      expect(online.text).toContain('Join online: https://teams.microsoft.com/');
      expect(online.html).toContain('Join the session online</a>');
    });

    it('counts applications and nominations in the digest', () => {
      const busy = render('lead_digest');
      expect(busy.subject).toBe('Your weekly summary: 4 applications and 1 nomination to decide');
      expect(busy.text).toContain('- Leading Integrated Care, Humber and North Yorkshire, March 2027: 1 application\n');

      const quiet = render('lead_digest', { pendingApplications: 0, applications: [] });
      expect(quiet.subject).toBe('Your weekly summary: no applications and 1 nomination to decide');
      expect(quiet.text).toContain('There are no applications waiting.');
      expect(quiet.html).toContain('There are no applications waiting.');
    });

    it('offers a way to stop reminders in reminders only', () => {
      const reminder = render('session_reminder_7d');
      const unsubscribeUrl = EMAIL_EXAMPLES.session_reminder_7d!.unsubscribeUrl as string;
      expect(reminder.html).toContain(`<a style="color:#005EB8;text-decoration:underline;" href="${escape(unsubscribeUrl)}">Stop getting reminder emails</a>`);
      expect(reminder.text).toContain(`Stop getting reminder emails: ${unsubscribeUrl}\n`);
      expect(reminder.text).toContain('Manage your email preferences: https://leadership.example.nhs.uk/api/v1/me/notification-preferences\n');

      const confirmation = render('enrolment_confirmed');
      expect(confirmation.html).not.toContain('reminder emails');
      expect(confirmation.text).not.toContain('reminder emails');
    });

    it('keeps the line breaks of a rationale', () => {
      const { html, text } = render('nomination_consent_request');
      expect(html).toContain('social care partners with her.<br>She is ready');
      expect(text).toContain('social care partners with her.\nShe is ready');
    });

    it('says, when a session goes because its cohort was cancelled, that the place has gone too', () => {
      const alone = render('session_cancelled');
      const withCohort = render('session_cancelled', { becauseCohortCancelled: true });

      expect(alone.text).toContain('Your place on the programme is not affected.');
      for (const part of [withCohort.text, withCohort.html]) {
        expect(part).toContain('The whole cohort has been cancelled');
        expect(part).not.toContain('Your place on the programme is not affected');
      }
    });
  });

  describe('user-supplied text', () => {
    it('is escaped in HTML and left as written in the subject and text', () => {
      const email = render('cohort_cancelled', { cohortName: HOSTILE, programmeTitle: 'Mental Health & Wellbeing Leadership' });
      expect(email.html).toContain(HOSTILE_ESCAPED);
      expect(email.html).toContain('Mental Health &amp; Wellbeing Leadership');
      expect(email.html).not.toContain('<script>');
      expect(email.subject).toBe(`Cancelled: Mental Health & Wellbeing Leadership, ${HOSTILE}`);
      expect(email.text).toContain(`Cohort: ${HOSTILE}\n`);
    });

    it('is escaped in a multi-line rationale and in a rejection reason', () => {
      const consent = render('nomination_consent_request', { rationale: `${HOSTILE}\n<img src=x onerror=alert(1)>` });
      expect(consent.html).toContain(`${HOSTILE_ESCAPED}<br>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;`);
      expect(consent.html).not.toMatch(/<script|<img/);

      const rejected = render('application_rejected', { reason: HOSTILE });
      expect(rejected.html).toContain(HOSTILE_ESCAPED);
      expect(rejected.html).not.toContain('<script>');
    });

    it('cannot break out of a link', () => {
      const { html } = render('session_reminder_24h', {
        session: { ...(EMAIL_EXAMPLES.session_reminder_24h!.session as object), onlineUrl: 'https://example.org/" onmouseover="alert(1)' },
      });
      expect(html).toContain('href="https://example.org/&quot; onmouseover&#x3D;&quot;alert(1)"');
      expect(html).not.toContain('" onmouseover="');
    });

    it('cannot add lines to the subject', () => {
      expect(render('session_cancelled', { session: { ...(EMAIL_EXAMPLES.session_cancelled!.session as object), title: 'Coaching\r\nBcc: someone@example.org' } }).subject).toBe(
        'Session cancelled: Coaching Bcc: someone@example.org, Tuesday 1 December 2026, 9:30am',
      );
    });
  });

  describe('missing data', () => {
    it('fails the render, naming the kind and the missing field', () => {
      const { waitlistPosition: _, ...data } = example('waitlisted');
      expect(() => renderer.render('waitlisted', data)).toThrow(TemplateRenderError);
      expect(() => renderer.render('waitlisted', data)).toThrow(/"waitlisted".*"waitlistPosition"/);
      try {
        renderer.render('waitlisted', data);
      } catch (error) {
        expect(error).toMatchObject({ kind: 'waitlisted', field: 'waitlistPosition', template: 'waitlisted.html.hbs' });
      }
    });

    it('fails for a field missing inside a nested object or a partial', () => {
      const { title: _, ...untitled } = EMAIL_EXAMPLES.session_scheduled!.session as Record<string, unknown>;
      expect(() => render('session_scheduled', { session: untitled })).toThrow(/Email "session_scheduled" cannot render session_scheduled\.subject\.hbs: its data has no "title"/);
      const { target: __, ...notice } = example('nomination_line_manager_notice');
      expect(() => renderer.render('nomination_line_manager_notice', notice)).toThrow(/"nomination_line_manager_notice".*"target"/);
    });

    it('fails for a field missing from a helper\'s arguments, which strict mode alone lets through', () => {
      const { audience: _, ...decided } = example('nomination_accepted');
      expect(() => renderer.render('nomination_accepted', decided)).toThrow(/Email "nomination_accepted" cannot render nomination_accepted\.subject\.hbs: its data has no "audience"/);
      const { kind: __, ...session } = EMAIL_EXAMPLES.session_scheduled!.session as Record<string, unknown>;
      expect(() => render('session_scheduled', { session })).toThrow(/"session_scheduled".*its data has no "kind"/);
      const { cohortEndsAtLondon: ___, ...enrolment } = example('enrolment_confirmed');
      expect(() => renderer.render('enrolment_confirmed', enrolment)).toThrow(/its data has no "cohortEndsAtLondon"/);
    });

    it('renders fields that are present but null', () => {
      expect(() => render('session_scheduled', { session: { ...(EMAIL_EXAMPLES.session_scheduled!.session as object), location: null, onlineUrl: 'https://example.org/join' } })).not.toThrow();
    });

    it('refuses a kind it has no templates for', () => {
      expect(() => renderer.render('made_up_kind', {})).toThrow('There are no email templates for the kind "made_up_kind"');
    });
  });

  describe('the templates directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'slp-templates-'));
      cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('names every kind that lacks a template', () => {
      unlinkSync(path.join(dir, 'waitlisted.text.hbs'));
      const partial = TemplateRenderer.fromDirectory(dir);
      expect(partial.kinds()).not.toContain('waitlisted');
      expect(() => partial.assertCovers([...ALL_KINDS, 'made_up_kind'])).toThrow(
        'Email templates are missing for 2 kind(s): waitlisted (missing waitlisted.text.hbs); made_up_kind (missing made_up_kind.subject.hbs, made_up_kind.html.hbs, made_up_kind.text.hbs)',
      );
    });

    it('fails at start on a template that does not compile, or calls a helper that does not exist', () => {
      writeFileSync(path.join(dir, 'waitlisted.html.hbs'), '<p>{{#if waitlistPosition}}unclosed</p>');
      expect(() => TemplateRenderer.fromDirectory(dir)).toThrow(/waitlisted\.html\.hbs does not compile/);
      writeFileSync(path.join(dir, 'waitlisted.html.hbs'), '<p>{{#if (equals outcome "enrolled")}}x{{/if}}</p>');
      expect(() => TemplateRenderer.fromDirectory(dir)).toThrow(/waitlisted\.html\.hbs does not compile: .*unknown helper equals/);
    });

    it('refuses a file whose name is not a kind and a part', () => {
      writeFileSync(path.join(dir, 'waitlisted.txt.hbs'), 'typo');
      expect(() => TemplateRenderer.fromDirectory(dir)).toThrow(/Unexpected file .*waitlisted\.txt\.hbs/);
    });

    it('fails when a kind does not say why the person got the email', () => {
      writeFileSync(path.join(dir, 'waitlisted.text.hbs'), 'You are on the waiting list, {{givenName}}.');
      expect(() => TemplateRenderer.fromDirectory(dir).render('waitlisted', example('waitlisted'))).toThrow(/"waitlisted" does not say why/);
    });
  });

  it('leaves the global Handlebars instance alone', () => {
    expect(Handlebars.helpers.eq).toBeUndefined();
    expect(Handlebars.partials['html/button']).toBeUndefined();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
