import { Injectable } from '@nestjs/common';
import { EntityManager, IsolationLevel } from '@mikro-orm/postgresql';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { AccessScope, AuditService, PersonalDataRegistry } from '@slp/platform';
import { assertCanExport } from './data-rights-access';
import { DataSubjectRepository } from './data-subject.repository';

export interface DataExport {
  readonly fileName: string;
  readonly stream: Readable;
}

/**
 * A subject access export (UK GDPR article 15): one JSON file per personal-data area and a
 * README.txt saying what each holds. Every area is read in one repeatable-read transaction, so the
 * files agree with each other; the export is audited before any data leaves.
 */
@Injectable()
export class DataExportService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: PersonalDataRegistry,
    private readonly subjects: DataSubjectRepository,
    private readonly audit: AuditService,
  ) {}

  async export(scope: AccessScope, personId: string): Promise<DataExport> {
    const files = await this.em.transactional(
      async (em) => {
        const record = await this.subjects.find(em, personId);
        assertCanExport(scope, record, personId);
        const areas = [...this.registry.areas].sort((a, b) => a.name.localeCompare(b.name));
        const owned = (await Promise.all(areas.map((area) => area.ownedObjects?.(em, record.subject) ?? []))).flat();
        const files: [string, unknown][] = [];
        for (const area of areas) files.push([`${area.name}.json`, await area.export(em, { subject: record.subject, owned })]);
        return files;
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
    await this.em.transactional(async (em) => {
      this.audit.record(em, { actorAccountId: scope.accountId, action: 'person.data_export', objectType: 'person', objectId: personId, details: { files: files.map(([name]) => name) } });
    });
    const generatedAt = new Date();
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from(this.readme(personId, generatedAt), 'utf8'), 'README.txt', { mtime: generatedAt });
    for (const [name, content] of files) zip.addBuffer(Buffer.from(`${JSON.stringify(content, null, 2)}\n`, 'utf8'), name, { mtime: generatedAt });
    zip.end();
    return { fileName: `personal-data-${personId}.zip`, stream: zip.outputStream as Readable };
  }

  private readme(personId: string, at: Date): string {
    const areas = [...this.registry.areas].sort((a, b) => a.name.localeCompare(b.name));
    return [
      'Your personal data from the System Leadership Platform',
      '',
      `Person ${personId}, exported ${at.toISOString()} (UTC).`,
      '',
      'This archive holds everything the platform keeps about you, one file per area. The files',
      'are JSON: open them in a text editor, or any program that reads JSON. Times are in UTC.',
      '',
      ...areas.flatMap((area) => [`${area.name}.json`, wrap(area.summary), `  If you are erased: ${area.onErasure}`, '']),
      'Passwords, sign-in tokens and single-use links are never included. Other people are not',
      'named: changes staff made are shown as made by "staff".',
      '',
      'You can ask for your data to be corrected or erased: contact your organisation’s',
      'information governance lead or the platform’s national admins.',
      '',
    ].join('\r\n');
  }
}

/** Indents and wraps a paragraph for a plain-text file. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`).join('\r\n');
}
