import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Erasure, ExportRequest, PersonalDataArea, RegisterPersonalData } from '@slp/platform';
import { IdentityLink } from './identity-link.entity';

/** Single sign-on: which identity provider accounts sign in as this person. */
@Injectable()
@RegisterPersonalData()
export class IdentityLinkPersonalData implements PersonalDataArea {
  readonly name = 'identity-links';
  readonly summary = 'The single sign-on identities (NHS CIS2, your organisation’s Microsoft Entra ID…) that sign in as you: the provider, its identifier for you, your organisation’s tenant where it has one, when the link was made and last used.';
  readonly onErasure = 'Deleted: those identities no longer sign in as the person (a later sign-in with one would set up a new account).';
  readonly entities = [IdentityLink];
  // Before the account (75), whose deletion would otherwise take the links with it uncounted.
  readonly erasePhase = 74;

  async export(em: EntityManager, { subject }: ExportRequest): Promise<unknown> {
    if (!subject.accountId) return [];
    const links = await em.find(IdentityLink, { account: subject.accountId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return links.map((link) => ({ provider: link.provider, issuer: link.issuer, subject: link.subject, tenant: link.tenant ?? null, createdAt: link.createdAt.toISOString(), lastUsedAt: link.lastUsedAt.toISOString() }));
  }

  async erase(em: EntityManager, { subject }: Erasure): Promise<Record<string, number>> {
    const deleted = await em.execute<{ id: string }[]>(`delete from identity_link l using account a where a.id = l.account_id and a.person_id = ? returning l.id`, [subject.personId]);
    return { identityLinks: deleted.length };
  }
}
