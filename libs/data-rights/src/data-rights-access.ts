import { AccessScope, ForbiddenError, NotFoundError } from '@slp/platform';
import type { DataSubjectRecord } from './data-subject.repository';

/*
 * Who may act on a person's data rights. Anyone who cannot see the person gets 404 (ids are not
 * probed); staff who can see them but lack the right get 403.
 */

/** The person themself, or an admin of their system (national admins: everyone). */
export function assertCanExport(scope: AccessScope, record: DataSubjectRecord | null, personId: string): asserts record is DataSubjectRecord {
  if (record && (record.subject.personId === scope.personId || scope.canManageSystem(record.systemId))) return;
  if (record && scope.canSeeStaffDataOf(record.systemId)) throw new ForbiddenError('Only the person or an admin of their system can export their data.');
  throw NotFoundError.of('person', personId);
}

/** National admins only, and not of themselves (someone else must decide that). */
export function assertCanErase(scope: AccessScope, record: DataSubjectRecord | null, personId: string): asserts record is DataSubjectRecord {
  const visible = record !== null && (record.subject.personId === scope.personId || scope.canSeeStaffDataOf(record.systemId));
  if (!visible) throw NotFoundError.of('person', personId);
  if (!scope.isNationalAdmin) throw new ForbiddenError('Only a national admin can erase a person.');
  if (record.subject.personId === scope.personId) throw new ForbiddenError('Another national admin must erase your own record.');
}
