import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DataSubject } from '@slp/platform';

/** A person as data rights see them: who they are, which system they belong to, and whether they were erased. */
export interface DataSubjectRecord {
  readonly subject: DataSubject;
  readonly systemId: string | null;
  readonly erasedAt: Date | null;
}

interface SubjectRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  system_id: string | null;
  erased_at: Date | null;
  account_id: string | null;
}

@Injectable()
export class DataSubjectRepository {
  /** The person, or null; `lock` takes their row lock, so two erasures of one person run one after the other. */
  async find(em: EntityManager, personId: string, lock = false): Promise<DataSubjectRecord | null> {
    const [row] = await em.execute<SubjectRow[]>(
      `select p.id, p.email, p.given_name, p.family_name, o.system_id, p.erased_at, a.id as account_id
         from person p left join organisation o on o.id = p.organisation_id left join account a on a.person_id = p.id
        where p.id = ? ${lock ? 'for update of p' : ''}`,
      [personId],
    );
    if (!row) return null;
    return {
      subject: { personId: row.id, email: row.email, givenName: row.given_name, familyName: row.family_name, accountId: row.account_id },
      systemId: row.system_id,
      erasedAt: row.erased_at ? new Date(row.erased_at) : null,
    };
  }
}
