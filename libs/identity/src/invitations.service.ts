import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService, ConflictError, InvalidInputError, PasswordHasher } from '@slp/platform';
import { Account } from './account.entity';
import { AccountInvitation } from './account-invitation.entity';
import { Person } from './person.entity';
import { hashSecretToken, newSecretToken } from './secret-token';

const INVITATION_TTL_MS = 14 * 86_400_000;

/** Lets someone the platform already knows (e.g. a nominee) set up their own account. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  /** A new invitation for `personId`, in the caller's transaction; returns the token to send them. */
  issue(em: EntityManager, personId: string, now = new Date()): string {
    const { token, hash } = newSecretToken();
    em.create(AccountInvitation, { person: em.getReference(Person, personId), tokenHash: hash, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS), createdAt: now });
    return token;
  }

  /** Uses the invitation once: creates a participant account for its person with `password`. */
  async accept(token: string, password: string): Promise<Account> {
    const passwordHash = await this.hasher.hash(password);
    return this.em.transactional(async (em) => {
      const [claimed] = await em.execute<{ person_id: string }[]>(
        `update account_invitation set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning person_id`,
        [hashSecretToken(token)],
      );
      if (!claimed) throw new InvalidInputError('This invitation link has been used or has expired.', [{ field: 'token', message: 'token is invalid, used or expired' }]);
      const person = await em.findOneOrFail(Person, { id: claimed.person_id });
      if (await em.count(Account, { person })) throw new ConflictError('This person already has an account. Sign in instead.');
      const account = em.create(Account, { person, passwordHash, roles: ['participant'], systemIds: [], status: 'active', createdAt: new Date() });
      this.audit.record(em, { actorAccountId: account.id, action: 'account.accept_invitation', objectType: 'account', objectId: account.id });
      return account;
    });
  }
}
