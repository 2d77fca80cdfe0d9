import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { OutboxService } from '@slp/notifications';
import { AccessScope, APP_CONFIG, AppConfig, AuditService, ConflictError, formatLondon, InvalidInputError, NotFoundError } from '@slp/platform';
import { Account } from './account.entity';
import { EmailVerification } from './email-verification.entity';
import { Person } from './person.entity';
import { RegistrationRateLimiter } from './registration-rate-limiter';
import { hashSecretToken, newSecretToken } from './secret-token';

const VERIFICATION_TTL_MS = 48 * 3_600_000;

/** Self-registered accounts prove they own their email address by following an emailed, single-use link. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly limiter: RegistrationRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new link for `account`, in the caller's transaction; its token travels only in the email. */
  async issue(em: EntityManager, account: Account, person: Person, now = new Date()): Promise<void> {
    const { token, hash } = newSecretToken();
    const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_MS);
    const verification = em.create(EmailVerification, { account, tokenHash: hash, expiresAt, createdAt: now });
    await this.outbox.enqueue(em, {
      kind: 'email_verification',
      recipient: { personId: person.id, email: person.email, name: `${person.givenName} ${person.familyName}` },
      subject: { type: 'email_verification', id: verification.id },
      data: {
        givenName: person.givenName,
        verifyUrl: `${this.config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`,
        expiresAt: expiresAt.toISOString(),
        expiresAtLondon: formatLondon(expiresAt),
      },
    });
  }

  /**
   * Uses a link once. Each way it can fail has its own answer, so the person knows what to do:
   * not a link we sent (404), already used (409), or expired (400, ask for a new one).
   */
  async verify(token: string): Promise<void> {
    const tokenHash = hashSecretToken(token);
    await this.em.transactional(async (em) => {
      // One conditional UPDATE claims the link, so two clicks cannot both count.
      const [claimed] = await em.execute<{ account_id: string }[]>(
        `update email_verification set used_at = now() where token_hash = ? and used_at is null and expires_at > now() returning account_id`,
        [tokenHash],
      );
      if (!claimed) {
        const link = await em.findOne(EmailVerification, { tokenHash });
        if (!link) throw new NotFoundError('This verification link is not one we sent. Check you copied the whole link from the email.');
        if (link.usedAt) throw new ConflictError('This verification link has already been used. If your email address is verified, just sign in.');
        throw new InvalidInputError('This verification link has expired. Sign in and ask for a new one.', [{ field: 'token', message: 'token has expired' }]);
      }
      const account = await em.findOneOrFail(Account, { id: claimed.account_id });
      account.emailVerifiedAt ??= new Date();
      this.audit.record(em, { actorAccountId: account.id, action: 'account.verify_email', objectType: 'account', objectId: account.id });
    });
  }

  /** The signed-in, unverified account holder asks for a fresh link (rate limited per account). */
  async resend(scope: AccessScope): Promise<void> {
    const account = await this.em.findOneOrFail(Account, { id: scope.accountId }, { populate: ['person'] });
    if (account.emailVerifiedAt) throw new ConflictError('Your email address is already verified.');
    await this.limiter.admitResend(account.id);
    await this.em.transactional(async (em) => {
      await this.issue(em, account, account.person);
      this.audit.record(em, { actorAccountId: account.id, action: 'account.verification_resent', objectType: 'account', objectId: account.id });
    });
  }
}
