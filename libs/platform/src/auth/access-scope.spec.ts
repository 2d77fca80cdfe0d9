import { ForbiddenError, NotFoundError } from '../errors/domain-errors';
import { AccessScope } from './access-scope';
import type { Role } from './principal';

const LANCASHIRE = '0193c6a0-0000-7000-8000-000000000001';
const FRIMLEY = '0193c6a0-0000-7000-8000-000000000002';
const SURREY = '0193c6a0-0000-7000-8000-000000000003';

function scopeOf(roles: Role[], systemIds: string[] = []): AccessScope {
  return AccessScope.of({ accountId: 'account-1', personId: 'person-1', roles, systemIds });
}

function thrownBy(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('AccessScope', () => {
  describe('a national admin (admin with no systems)', () => {
    const scope = scopeOf(['admin']);

    it('sees staff data and the directory of every system', () => {
      expect(scope.isNationalAdmin).toBe(true);
      expect(scope.staffSystems).toBe('all');
      expect(scope.directorySystems).toBe('all');
      expect(scope.canReadDirectoryOf(FRIMLEY)).toBe(true);
      expect(scope.canSeeStaffDataOf(SURREY)).toBe(true);
    });

    it('sees staff data that belongs to no system (national programmes)', () => {
      expect(scope.canSeeStaffDataOf(null)).toBe(true);
    });

    it('manages every system, and national objects too', () => {
      expect(scope.canManageSystem(LANCASHIRE)).toBe(true);
      expect(scope.canManageSystem(null)).toBe(true);
      expect(() => scope.assertCanManageSystem(SURREY)).not.toThrow();
      expect(() => scope.assertCanManageSystem(undefined, 'programme')).not.toThrow();
    });

    it('may do what only a national admin may', () => {
      expect(() => scope.assertNationalAdmin('add a system')).not.toThrow();
    });

    it('administers any set of systems', () => {
      expect(scope.administersAll([LANCASHIRE, FRIMLEY, SURREY])).toBe(true);
      expect(scope.administersAll([])).toBe(true);
    });
  });

  describe('a system admin', () => {
    const scope = scopeOf(['admin'], [LANCASHIRE]);

    it('is not a national admin', () => {
      expect(scope.isNationalAdmin).toBe(false);
      expect(scope.isAdmin).toBe(true);
    });

    it('sees staff data and the directory of their own systems only', () => {
      expect(scope.staffSystems).toEqual([LANCASHIRE]);
      expect(scope.directorySystems).toEqual([LANCASHIRE]);
      expect(scope.canReadDirectoryOf(LANCASHIRE)).toBe(true);
      expect(scope.canReadDirectoryOf(FRIMLEY)).toBe(false);
      expect(scope.canSeeStaffDataOf(LANCASHIRE)).toBe(true);
      expect(scope.canSeeStaffDataOf(FRIMLEY)).toBe(false);
      expect(scope.canSeeStaffDataOf(null)).toBe(false);
    });

    it('manages their own system', () => {
      expect(scope.canManageSystem(LANCASHIRE)).toBe(true);
      expect(() => scope.assertCanManageSystem(LANCASHIRE)).not.toThrow();
    });

    it('gets 404, not 403, for another system, so its id cannot be probed', () => {
      expect(scope.canManageSystem(FRIMLEY)).toBe(false);
      const error = thrownBy(() => scope.assertCanManageSystem(FRIMLEY, 'place'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toBe('No such place is visible to you.');
    });

    it('cannot manage national objects (no system)', () => {
      expect(scope.canManageSystem(null)).toBe(false);
      expect(thrownBy(() => scope.assertCanManageSystem(null, 'programme'))).toBeInstanceOf(NotFoundError);
    });

    it('is refused what only a national admin may do, with a 403 naming the action', () => {
      const error = thrownBy(() => scope.assertNationalAdmin('add a system'));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as Error).message).toBe('Only a national admin can add a system.');
    });

    it('administers a set of systems only when every one is theirs', () => {
      expect(scope.administersAll([LANCASHIRE])).toBe(true);
      expect(scope.administersAll([LANCASHIRE, FRIMLEY])).toBe(false);
      expect(scope.administersAll([])).toBe(true);
    });
  });

  describe('an admin of two systems', () => {
    const scope = scopeOf(['admin'], [LANCASHIRE, FRIMLEY]);

    it('manages both and administers them together, but not a third', () => {
      expect(scope.canManageSystem(FRIMLEY)).toBe(true);
      expect(scope.administersAll([LANCASHIRE, FRIMLEY])).toBe(true);
      expect(scope.administersAll([FRIMLEY, SURREY])).toBe(false);
    });
  });

  describe.each([['programme_lead' as Role], ['coach' as Role]])('a %s', (role) => {
    const scope = scopeOf([role], [LANCASHIRE]);

    it('is staff confined to their systems', () => {
      expect(scope.isStaff).toBe(true);
      expect(scope.isAdmin).toBe(false);
      expect(scope.staffSystems).toEqual([LANCASHIRE]);
      expect(scope.canSeeStaffDataOf(LANCASHIRE)).toBe(true);
      expect(scope.canSeeStaffDataOf(FRIMLEY)).toBe(false);
      expect(scope.canSeeStaffDataOf(undefined)).toBe(false);
    });

    it('reads the directory of their systems only', () => {
      expect(scope.directorySystems).toEqual([LANCASHIRE]);
      expect(scope.canReadDirectoryOf(LANCASHIRE)).toBe(true);
      expect(scope.canReadDirectoryOf(SURREY)).toBe(false);
    });

    it('gets 403 changing their own system, which they can see but do not administer', () => {
      expect(scope.canManageSystem(LANCASHIRE)).toBe(false);
      const error = thrownBy(() => scope.assertCanManageSystem(LANCASHIRE, 'organisation'));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as Error).message).toContain('organisation');
    });

    it('gets 404 for a system outside their scope', () => {
      expect(thrownBy(() => scope.assertCanManageSystem(FRIMLEY))).toBeInstanceOf(NotFoundError);
    });

    it('administers nothing, not even an empty set', () => {
      expect(scope.administersAll([LANCASHIRE])).toBe(false);
      expect(scope.administersAll([])).toBe(false);
      expect(thrownBy(() => scope.assertNationalAdmin('create a national admin'))).toBeInstanceOf(ForbiddenError);
    });
  });

  describe('a participant', () => {
    const scope = scopeOf(['participant']);

    it('reads the whole reference directory', () => {
      expect(scope.isStaff).toBe(false);
      expect(scope.directorySystems).toBe('all');
      expect(scope.canReadDirectoryOf(LANCASHIRE)).toBe(true);
      expect(scope.canReadDirectoryOf(SURREY)).toBe(true);
    });

    it('sees no staff data of any system', () => {
      expect(scope.staffSystems).toEqual([]);
      expect(scope.canSeeStaffDataOf(LANCASHIRE)).toBe(false);
      expect(scope.canSeeStaffDataOf(null)).toBe(false);
    });

    it('gets 403 (not 404) changing a system whose directory entry they can see', () => {
      expect(scope.canManageSystem(LANCASHIRE)).toBe(false);
      expect(thrownBy(() => scope.assertCanManageSystem(LANCASHIRE))).toBeInstanceOf(ForbiddenError);
    });

    it('gets 404 changing a national object, which has no system to see', () => {
      expect(thrownBy(() => scope.assertCanManageSystem(null, 'programme'))).toBeInstanceOf(NotFoundError);
    });

    it('administers nothing', () => {
      expect(scope.administersAll([])).toBe(false);
      expect(thrownBy(() => scope.assertNationalAdmin('add a system'))).toBeInstanceOf(ForbiddenError);
    });

    it('keeps no staff access from system ids left on the account', () => {
      const stale = scopeOf(['participant'], [LANCASHIRE]);
      expect(stale.staffSystems).toEqual([]);
      expect(stale.canSeeStaffDataOf(LANCASHIRE)).toBe(false);
      expect(stale.canManageSystem(LANCASHIRE)).toBe(false);
    });
  });

  describe('a programme lead who is also a participant', () => {
    const scope = scopeOf(['programme_lead', 'participant'], [LANCASHIRE]);

    it('sees staff data of their own systems only', () => {
      expect(scope.isStaff).toBe(true);
      expect(scope.staffSystems).toEqual([LANCASHIRE]);
      expect(scope.canSeeStaffDataOf(LANCASHIRE)).toBe(true);
      expect(scope.canSeeStaffDataOf(FRIMLEY)).toBe(false);
    });

    it('still reads the whole reference directory, as every participant does', () => {
      // Roles add up: being a lead as well must not take away what the participant role gives.
      expect(scope.directorySystems).toBe('all');
      expect(scope.canReadDirectoryOf(FRIMLEY)).toBe(true);
    });

    it('cannot manage any system', () => {
      expect(scope.canManageSystem(LANCASHIRE)).toBe(false);
      expect(thrownBy(() => scope.assertCanManageSystem(LANCASHIRE))).toBeInstanceOf(ForbiddenError);
      expect(scope.administersAll([LANCASHIRE])).toBe(false);
    });
  });

  it('exposes who the caller is', () => {
    const scope = AccessScope.of({ accountId: 'acc-9', personId: 'per-9', roles: ['coach'], systemIds: [SURREY] });

    expect(scope.accountId).toBe('acc-9');
    expect(scope.personId).toBe('per-9');
    expect(scope.has('coach')).toBe(true);
    expect(scope.has('admin')).toBe(false);
  });
});
