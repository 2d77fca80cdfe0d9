import { ForbiddenError, NotFoundError } from '../errors/domain-errors';
import type { Principal, Role } from './principal';
import { STAFF_ROLES } from './principal';

/**
 * Object-level authorisation rules in one place. Services ask the scope, never the roles directly:
 *
 * - a national admin (admin with no systems) sees and manages everything;
 * - staff (system admins, programme leads, coaches) see their systems and what belongs to them;
 *   system admins also manage them;
 * - participants read the reference directory and their own records.
 *
 * What is out of scope answers 404, so ids cannot be probed (see API.md).
 */
export class AccessScope {
  private constructor(private readonly principal: Principal) {}

  static of(principal: Principal): AccessScope {
    return new AccessScope(principal);
  }

  get accountId(): string {
    return this.principal.accountId;
  }

  get personId(): string {
    return this.principal.personId;
  }

  /** Whether the caller proved they own their email address (see {@link Principal.emailVerified}). */
  get emailVerified(): boolean {
    return this.principal.emailVerified !== false;
  }

  has(role: Role): boolean {
    return this.principal.roles.includes(role);
  }

  get isNationalAdmin(): boolean {
    return this.has('admin') && this.principal.systemIds.length === 0;
  }

  get isStaff(): boolean {
    return this.principal.roles.some((role) => STAFF_ROLES.includes(role));
  }

  get isAdmin(): boolean {
    return this.has('admin');
  }

  /** Systems whose staff-level data the caller may see: `'all'`, or a list (empty for non-staff). */
  get staffSystems(): 'all' | readonly string[] {
    if (this.isNationalAdmin) return 'all';
    return this.isStaff ? this.principal.systemIds : [];
  }

  /**
   * Systems of the reference directory the caller may read: participants read all of it (a role
   * never takes access away, so a lead who is also a participant does too); other staff are
   * confined to their systems.
   */
  get directorySystems(): 'all' | readonly string[] {
    return !this.isStaff || this.has('participant') ? 'all' : this.staffSystems;
  }

  canReadDirectoryOf(systemId: string): boolean {
    const systems = this.directorySystems;
    return systems === 'all' || systems.includes(systemId);
  }

  canSeeStaffDataOf(systemId: string | null | undefined): boolean {
    const systems = this.staffSystems;
    if (systems === 'all') return true;
    return systemId != null && systems.includes(systemId);
  }

  /** System admins manage their systems; national admins manage every system. */
  canManageSystem(systemId: string | null | undefined): boolean {
    if (this.isNationalAdmin) return true;
    return this.isAdmin && systemId != null && this.principal.systemIds.includes(systemId);
  }

  /** Throws 404 when the caller cannot even see the system's directory entry, 403 when they see it but may not change it. */
  assertCanManageSystem(systemId: string | null | undefined, objectType = 'system'): void {
    if (this.canManageSystem(systemId)) return;
    if (systemId && this.canReadDirectoryOf(systemId)) throw new ForbiddenError(`You cannot change this ${objectType}: it belongs to a system you do not administer.`);
    throw NotFoundError.of(objectType);
  }

  assertNationalAdmin(action: string): void {
    if (!this.isNationalAdmin) throw new ForbiddenError(`Only a national admin can ${action}.`);
  }

  /** Whether the caller administers every one of `systemIds` (national admins administer all). */
  administersAll(systemIds: readonly string[]): boolean {
    return this.isNationalAdmin || (this.isAdmin && systemIds.every((id) => this.principal.systemIds.includes(id)));
  }
}
