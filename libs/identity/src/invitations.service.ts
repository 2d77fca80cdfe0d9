import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { OutboxService } from '@slp/notifications';
import { APP_CONFIG, AppConfig, AuditService, ConflictError, formatLondon, InvalidInputError, PasswordHasher } from '@slp/platform';
import { Account } from './account.entity';
import { AccountInvitation } from './account-invitation.entity';
import { Person } from './person.entity';
import { hashSecretToken, newSecretToken } from './secret-token';
import { SessionRevocations } from './session-revocations';

const INVITATION_TTL_MS = 14 * 86_400_000;

/**
 * Why the invitation is sent: someone invited the person, or the person tried to register with an
 * address the platform already knows (they set their password from the link instead).
 */
export type InvitationKind = 'account_invitation' | 'registration_known_person';

/** Who an invitation is for: a person entity fits. */
export interface InviteeRef {
  readonly id: string;
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
}

/** Lets someone the platform already knows (e.g. a nominee) set up their own account. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly sessions: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new invitation for `person`, in the caller's transaction, emailed to them through the
   * outbox. The token travels only in that email: it is never returned, logged or shown.
   */
  async issue(em: EntityManager, person: InviteeRef, now = new Date(), kind: InvitationKind = 'account_invitation'): Promise<void> {
    const { token, hash } = newSecretToken();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    const invitation = em.create(AccountInvitation, { person: em.getReference(Person, person.id), tokenHash: hash, expiresAt, createdAt: now });
    await this.outbox.enqueue(em, {
      kind,
      recipient: { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` },
      subject: { type: 'account_invitation', id: invitation.id },
      data: {
        givenName: person.givenName,
        acceptUrl: `${this.config.publicUrl}/invitation?token=${encodeURIComponent(token)}`,
        expiresAt: expiresAt.toISOString(),
        expiresAtLondon: formatLondon(expiresAt),
      },
    });
  }

  /**
   * Uses the invitation once: creates a participant account for its person with `password`, or
   * gives an account an admin created without a password its password. The link reached the
   * person's mailbox, so the account is verified by it. A self-registered account that never
   * proved its address (perhaps someone else registered it first) has its password replaced and
   * its sessions ended: an unverified password is not the owner's word.
   */
  async accept(token: string, password: string): Promise<Account> {
    const passwordHash = await this.hasher.hash(password);
    const endedSessions: string[] = [];
    const accepted = await this.em.transactional(async (em) => {
      const [claimed] = await em.execute<{ person_id: string }[]>(
        `update account_invitation set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning person_id`,
        [hashSecretToken(token)],
      );
      if (!claimed) throw new InvalidInputError('This invitation link has been used or has expired.', [{ field: 'token', message: 'token is invalid, used or expired' }]);
      const person = await em.findOneOrFail(Person, { id: claimed.person_id });
      const existing = await em.findOne(Account, { person }, { populate: ['person'] });
      // An account an admin created without a password is set up from its invitation, keeping its roles.
      if (existing && existing.passwordHash && existing.emailVerifiedAt) throw new ConflictError('This person already has an account. Sign in instead.');
      const takenOver = Boolean(existing?.passwordHash);
      const account = existing ?? em.create(Account, { person, passwordHash, roles: ['participant'], systemIds: [], status: 'active', createdAt: new Date() });
      account.passwordHash = passwordHash;
      account.emailVerifiedAt ??= new Date();
      if (takenOver) {
        const ended = await em.execute<{ family_id: string }[]>(`update refresh_token set revoked_at = now() where account_id = ? and revoked_at is null returning family_id`, [account.id]);
        endedSessions.push(...new Set(ended.map((row) => row.family_id)));
      }
      this.audit.record(em, { actorAccountId: account.id, action: 'account.accept_invitation', objectType: 'account', objectId: account.id, details: takenOver ? { replacedUnverifiedPassword: true } : {} });
      return account;
    });
    // The sessions of the unproved password end at once, not when their access tokens expire
    // (PostgreSQL already says so, which the guard falls back to if Redis cannot be told).
    await Promise.all(endedSessions.map((sessionId) => this.sessions.markRevoked(sessionId)));
    return accepted;
  }
}
