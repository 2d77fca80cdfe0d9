import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AccessScope, AuditService } from '@slp/platform';
import { InvitationsService } from './invitations.service';

/**
 * `invited`: emailed now; `already_invited`: an invitation that still works was sent before, so
 * nothing is sent again; `has_account`: they can sign in already; `not_found`: no such person in
 * the caller's systems (or erased), told alike so ids cannot be probed.
 */
export type PersonInvitationStatus = 'invited' | 'already_invited' | 'has_account' | 'not_found';

export interface PersonInvitationResult {
  readonly personId: string;
  readonly status: PersonInvitationStatus;
}

interface InviteeRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  system_id: string | null;
  has_account: boolean;
  invited: boolean;
}

/**
 * Invites people the platform holds without an account (e.g. from an ESR import) to set one up,
 * each through the usual invitation email (outbox, single-use link). Admins invite people of the
 * systems they administer; national admins anyone. Idempotent: the people's rows are locked, so
 * two calls at once (or a call repeated) email each person once while their invitation works.
 */
@Injectable()
export class PersonInvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly invitations: InvitationsService,
    private readonly audit: AuditService,
  ) {}

  async invite(scope: AccessScope, personIds: readonly string[]): Promise<PersonInvitationResult[]> {
    // PostgreSQL answers with lower-case ids; an id sent in capitals is the same person.
    const ids = [...new Set(personIds.map((id) => id.toLowerCase()))];
    return this.em.transactional(async (em) => {
      const now = new Date();
      const list = `{${ids.join(',')}}`;
      // Locked in id order, so overlapping calls queue instead of deadlocking. The invitations are
      // read by a second statement: one that waited for a lock would still see its own older
      // snapshot, without the invitation the other call has just committed.
      // (An array literal: the driver would expand a JS array into a list; the ids are UUIDs, checked at the edge.)
      await em.execute(`select 1 from person where id = any(?::uuid[]) order by id for update`, [list]);
      const rows = await em.execute<InviteeRow[]>(
        `select p.id, p.email, p.given_name, p.family_name, o.system_id,
                exists (select 1 from account a where a.person_id = p.id) as has_account,
                exists (select 1 from account_invitation i where i.person_id = p.id and i.used_at is null and i.expires_at > ?) as invited
           from person p left join organisation o on o.id = p.organisation_id
          where p.id = any(?::uuid[]) and p.erased_at is null`,
        [now, list],
      );
      const found = new Map(rows.map((row) => [row.id, row]));
      const results: PersonInvitationResult[] = [];
      for (const id of ids) {
        const row = found.get(id);
        if (!row || !scope.canManageSystem(row.system_id)) {
          results.push({ personId: id, status: 'not_found' });
        } else if (row.has_account) {
          results.push({ personId: id, status: 'has_account' });
        } else if (row.invited) {
          results.push({ personId: id, status: 'already_invited' });
        } else {
          await this.invitations.issue(em, { id: row.id, email: row.email, givenName: row.given_name, familyName: row.family_name }, now);
          this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.invite', objectType: 'person', objectId: row.id, details: {} });
          results.push({ personId: id, status: 'invited' });
        }
      }
      return results;
    });
  }
}
