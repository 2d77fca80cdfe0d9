import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataSubject, Erasure, ERASED_NAME, ExportRequest, PersonalDataArea, RegisterPersonalData, SqlStatement } from '@slp/platform';
import { AccountInvitation } from './account-invitation.entity';
import { EmailVerification } from './email-verification.entity';
import { Account } from './account.entity';
import { EqualityMonitoring } from './equality-monitoring.entity';
import { AccountMfa, MfaRecoveryCode, PasswordReset } from './mfa.entities';
import { Person } from './person.entity';
import { RefreshToken } from './refresh-token.entity';

/** Who the person is and where they work. Erasure keeps the anonymous row (organisation, staff group, grade) that reports count. */
@Injectable()
@RegisterPersonalData()
export class PersonPersonalData implements PersonalDataArea {
  readonly name = 'person';
  readonly summary = 'Your name, email, where you work (organisation, staff group, grade), profession, job title, your line manager’s email, and any change of employment waiting to be confirmed.';
  readonly onErasure = 'Names become "Erased", the email an undeliverable placeholder; profession, job title, line manager email and pending changes are cleared. Organisation, staff group and grade stay, so report counts stay true. Where someone else gave this email as their line manager’s, it is cleared.';
  readonly entities = [Person];
  readonly erasePhase = 80;

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const person = await em.findOneOrFail(Person, { id: subject.personId }, { populate: ['organisation', 'pendingOrganisation'] });
    const organisation = (o: Person['organisation']) => (o ? { id: o.id, name: o.name, odsCode: o.odsCode } : null);
    return {
      id: person.id,
      email: person.email,
      givenName: person.givenName,
      familyName: person.familyName,
      organisation: organisation(person.organisation),
      staffGroup: person.staffGroup ?? null,
      grade: person.grade ?? null,
      profession: person.profession ?? null,
      jobTitle: person.jobTitle ?? null,
      lineManagerEmail: person.lineManagerEmail ?? null,
      pendingEmployment: person.employmentProposedAt
        ? { organisation: organisation(person.pendingOrganisation), staffGroup: person.pendingStaffGroup ?? null, grade: person.pendingGrade ?? null, proposedAt: person.employmentProposedAt.toISOString() }
        : null,
      createdAt: person.createdAt.toISOString(),
      updatedAt: person.updatedAt.toISOString(),
      erasedAt: person.erasedAt?.toISOString() ?? null,
    };
  }

  async erase(em: EntityManager, { subject, erasedEmail, at }: Erasure): Promise<Record<string, number>> {
    await em.execute(
      `update person set email = ?, given_name = ?, family_name = ?, profession = null, job_title = null, line_manager_email = null,
              pending_organisation_id = null, pending_staff_group = null, pending_grade = null, employment_proposed_at = null,
              erased_at = ?, updated_at = ?
        where id = ?`,
      [erasedEmail, ERASED_NAME, ERASED_NAME, at, at, subject.personId],
    );
    const others = await em.execute<{ id: string }[]>(`update person set line_manager_email = null where line_manager_email = ? and id <> ? returning id`, [subject.email, subject.personId]);
    return { people: 1, lineManagerEmailsCleared: others.length };
  }

  /** Created or changed (by them or by staff), or their account signed in or acted (the audit log). */
  recentActivity(cutoff: Date): SqlStatement {
    return {
      sql: `select id as person_id from person where greatest(created_at, updated_at) >= ?
            union all select person_id from account where greatest(created_at, last_login_at) >= ?
            union all select a.person_id from account a where exists (select 1 from audit_log l where l.actor_account_id = a.id and l.at >= ?)`,
      params: [cutoff, cutoff, cutoff],
    };
  }
}

/** Sign-in: the account, its sessions (refresh tokens), invitations, multi-factor set-up and reset links. Secrets and hashes are never exported. */
@Injectable()
@RegisterPersonalData()
export class AccountPersonalData implements PersonalDataArea {
  readonly name = 'account';
  readonly summary = 'Your account: roles, the systems you work for, its status, when it was created and last signed in; your sign-in sessions, account invitations, email verification and password reset links, and whether multi-factor sign-in is on, with when your recovery codes were made and used (dates only: passwords, authenticator keys, codes and tokens are never included).';
  readonly onErasure = 'The account, its sign-in sessions, invitations, verification and password reset links, its authenticator key and recovery codes are deleted: nobody can sign in as the person again.';
  readonly entities = [Account, RefreshToken, AccountInvitation, EmailVerification, AccountMfa, MfaRecoveryCode, PasswordReset];
  readonly erasePhase = 75;

  async ownedObjects(_em: EntityManager, subject: DataSubject) {
    return subject.accountId ? [{ type: 'account', id: subject.accountId }] : [];
  }

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const account = await em.findOne(Account, { person: subject.personId });
    const invitations = await em.find(AccountInvitation, { person: subject.personId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const sessions = account ? await em.find(RefreshToken, { account }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
    const verifications = account ? await em.find(EmailVerification, { account }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
    const mfa = account ? await em.findOne(AccountMfa, { account }) : null;
    const recoveryCodes = account ? await em.find(MfaRecoveryCode, { account }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
    const resets = account ? await em.find(PasswordReset, { account }, { orderBy: { createdAt: 'asc', id: 'asc' } }) : [];
    return {
      account: account
        ? { id: account.id, roles: account.roles, systemIds: account.systemIds, status: account.status, hasPassword: account.passwordHash != null, emailVerifiedAt: account.emailVerifiedAt?.toISOString() ?? null, createdAt: account.createdAt.toISOString(), lastLoginAt: account.lastLoginAt?.toISOString() ?? null }
        : null,
      signInSessions: sessions.map((token) => ({ createdAt: token.createdAt.toISOString(), expiresAt: token.expiresAt.toISOString(), usedAt: token.usedAt?.toISOString() ?? null, revokedAt: token.revokedAt?.toISOString() ?? null })),
      invitations: invitations.map((invitation) => ({ createdAt: invitation.createdAt.toISOString(), expiresAt: invitation.expiresAt.toISOString(), usedAt: invitation.usedAt?.toISOString() ?? null })),
      emailVerificationLinks: verifications.map((link) => ({ createdAt: link.createdAt.toISOString(), expiresAt: link.expiresAt.toISOString(), usedAt: link.usedAt?.toISOString() ?? null })),
      multiFactor: mfa
        ? { method: 'totp', enabled: mfa.confirmedAt != null, setUpAt: mfa.createdAt.toISOString(), confirmedAt: mfa.confirmedAt?.toISOString() ?? null, recoveryCodes: recoveryCodes.map((code) => ({ createdAt: code.createdAt.toISOString(), usedAt: code.usedAt?.toISOString() ?? null })) }
        : null,
      passwordResetLinks: resets.map((link) => ({ createdAt: link.createdAt.toISOString(), expiresAt: link.expiresAt.toISOString(), usedAt: link.usedAt?.toISOString() ?? null })),
    };
  }

  async erase(em: EntityManager, { subject }: Erasure): Promise<Record<string, number>> {
    // Refresh tokens and verification links go with the account (on delete cascade); counted first for the audit entry.
    const [tokens] = await em.execute<{ count: string }[]>(`select count(*) as count from refresh_token t join account a on a.id = t.account_id where a.person_id = ?`, [subject.personId]);
    const [links] = await em.execute<{ count: string }[]>(`select count(*) as count from email_verification v join account a on a.id = v.account_id where a.person_id = ?`, [subject.personId]);
    // Multi-factor set-up, recovery codes and reset links are deleted first, in their own statements, so their counts are what went.
    const mfa = await em.execute<{ account_id: string }[]>(`delete from account_mfa m using account a where a.id = m.account_id and a.person_id = ? returning m.account_id`, [subject.personId]);
    const codes = await em.execute<{ id: string }[]>(`delete from mfa_recovery_code c using account a where a.id = c.account_id and a.person_id = ? returning c.id`, [subject.personId]);
    const resets = await em.execute<{ id: string }[]>(`delete from password_reset r using account a where a.id = r.account_id and a.person_id = ? returning r.id`, [subject.personId]);
    const accounts = await em.execute<{ id: string }[]>(`delete from account where person_id = ? returning id`, [subject.personId]);
    const invitations = await em.execute<{ id: string }[]>(`delete from account_invitation where person_id = ? returning id`, [subject.personId]);
    return {
      accounts: accounts.length,
      refreshTokens: Number(tokens?.count ?? 0),
      emailVerificationLinks: Number(links?.count ?? 0),
      invitations: invitations.length,
      multiFactor: mfa.length,
      recoveryCodes: codes.length,
      passwordResetLinks: resets.length,
    };
  }
}

/** Special-category data (UK GDPR article 9): consented, and on erasure deleted outright. */
@Injectable()
@RegisterPersonalData()
export class EqualityPersonalData implements PersonalDataArea {
  readonly name = 'equality-monitoring';
  readonly summary = 'The equality monitoring you chose to give (ethnic category, sex, disability, sexual orientation, religion, age band) and when you consented. Reports only ever use it aggregated, with small numbers withheld.';
  readonly onErasure = 'Deleted. Equality reports then no longer count the person (they count only people with consented monitoring); the pipeline funnel still does, under "Not recorded".';
  readonly entities = [EqualityMonitoring];
  readonly erasePhase = 70;

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    const monitoring = await em.findOne(EqualityMonitoring, { person: subject.personId });
    if (!monitoring) return null;
    return {
      consentedAt: monitoring.consentedAt.toISOString(),
      ethnicity: monitoring.ethnicity ?? null,
      sex: monitoring.sex ?? null,
      disability: monitoring.disability ?? null,
      sexualOrientation: monitoring.sexualOrientation ?? null,
      religion: monitoring.religion ?? null,
      ageBand: monitoring.ageBand ?? null,
      updatedAt: monitoring.updatedAt.toISOString(),
    };
  }

  async erase(em: EntityManager, { subject }: Erasure): Promise<Record<string, number>> {
    const deleted = await em.execute<{ person_id: string }[]>(`delete from equality_monitoring where person_id = ? returning person_id`, [subject.personId]);
    return { equalityMonitoring: deleted.length };
  }

  recentActivity(cutoff: Date): SqlStatement {
    return { sql: `select person_id from equality_monitoring where updated_at >= ?`, params: [cutoff] };
  }
}

export const IDENTITY_PERSONAL_DATA = [PersonPersonalData, AccountPersonalData, EqualityPersonalData];
