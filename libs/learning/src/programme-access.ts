import type { AccessScope } from '@slp/platform';

/**
 * Who may do what with a programme and its cohorts, by the programme's owning system (null for a
 * national programme). Staff work on programmes of their systems; national programmes are run by
 * national admins; participants see what is open to people of their system.
 */
export const ProgrammeAccess = {
  /** Create and change the programme, its cohorts, sessions, enrolments and attendance. */
  canManage(scope: AccessScope, systemId: string | null): boolean {
    if (scope.isNationalAdmin) return true;
    if (systemId === null) return false;
    return (scope.has('programme_lead') || scope.has('admin')) && scope.canSeeStaffDataOf(systemId);
  },

  /** See everything about its cohorts, including who is enrolled (leads, admins and coaches of the system). */
  canOversee(scope: AccessScope, systemId: string | null): boolean {
    if (scope.isNationalAdmin) return true;
    return systemId !== null && scope.isStaff && scope.canSeeStaffDataOf(systemId);
  },

  /** Join its open cohorts: national programmes, and programmes of the system the person works in. */
  isOpenTo(personSystemId: string | null, systemId: string | null): boolean {
    return systemId === null || systemId === personSystemId;
  },
};
