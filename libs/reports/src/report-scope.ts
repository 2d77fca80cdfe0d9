import { AccessScope, ForbiddenError, NotFoundError } from '@slp/platform';

/**
 * Which systems an admin's report covers: every system for a national admin; a system admin's
 * own systems (a filter outside them is 404), so another system's rows never appear, even in totals.
 */
export function reportSystems(scope: AccessScope, systemId: string | undefined): 'all' | string[] {
  if (!scope.isAdmin) throw new ForbiddenError('Reports are for admins.');
  if (systemId) {
    if (!scope.canSeeStaffDataOf(systemId)) throw NotFoundError.of('system', systemId);
    return [systemId];
  }
  const systems = scope.staffSystems;
  return systems === 'all' ? 'all' : [...systems];
}

/** `pp.system_id in (…)` for the scope, with its parameters; nothing for national reports. */
export function systemsClause(systems: 'all' | string[], column = 'pp.system_id'): { sql: string; params: string[] } {
  if (systems === 'all') return { sql: 'true', params: [] };
  if (!systems.length) return { sql: 'false', params: [] };
  return { sql: `${column} in (${systems.map(() => '?').join(', ')})`, params: systems };
}
