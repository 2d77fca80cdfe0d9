import { ACTIVE_NOMINATION_STATUSES, canMoveNomination, NOMINATION_STATUSES, NominationStatus } from './nomination-status';

describe('canMoveNomination (the nomination lifecycle)', () => {
  const allowed: [NominationStatus, NominationStatus][] = [
    ['submitted', 'awaiting_consent'],
    ['submitted', 'withdrawn'],
    ['awaiting_consent', 'consented'],
    ['awaiting_consent', 'declined'],
    ['awaiting_consent', 'withdrawn'],
    ['consented', 'accepted'],
    ['consented', 'enrolled'],
    ['consented', 'rejected'],
    ['consented', 'withdrawn'],
    ['accepted', 'enrolled'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canMoveNomination(from, to)).toBe(true);
  });

  it('allows nothing else: every other pair of statuses is refused', () => {
    const refused = NOMINATION_STATUSES.flatMap((from) => NOMINATION_STATUSES.map((to) => [from, to] as [NominationStatus, NominationStatus])).filter(
      ([from, to]) => !allowed.some(([f, t]) => f === from && t === to),
    );
    expect(refused).toHaveLength(NOMINATION_STATUSES.length ** 2 - allowed.length);
    for (const [from, to] of refused) expect({ from, to, allowed: canMoveNomination(from, to) }).toEqual({ from, to, allowed: false });
  });

  it.each<[NominationStatus, NominationStatus]>([
    // Nothing proceeds without consent.
    ['submitted', 'consented'],
    ['submitted', 'accepted'],
    ['awaiting_consent', 'accepted'],
    ['awaiting_consent', 'enrolled'],
    ['awaiting_consent', 'rejected'],
    // A declined nomination stops there.
    ['declined', 'consented'],
    ['declined', 'accepted'],
    ['declined', 'awaiting_consent'],
    // No going back, and no undoing a decision.
    ['consented', 'awaiting_consent'],
    ['accepted', 'consented'],
    ['rejected', 'accepted'],
    ['enrolled', 'accepted'],
    ['withdrawn', 'awaiting_consent'],
    ['withdrawn', 'consented'],
  ])('refuses %s → %s', (from, to) => {
    expect(canMoveNomination(from, to)).toBe(false);
  });

  it('lets a nomination be withdrawn before a decision and never after one', () => {
    const withdrawable = NOMINATION_STATUSES.filter((from) => canMoveNomination(from, 'withdrawn'));
    expect(withdrawable).toEqual(['submitted', 'awaiting_consent', 'consented']);
  });

  it('refuses staying in the same status (every move is a real transition)', () => {
    for (const status of NOMINATION_STATUSES) expect({ status, allowed: canMoveNomination(status, status) }).toEqual({ status, allowed: false });
  });

  it('treats declined, rejected and withdrawn as final and no longer active, so the person can be nominated again', () => {
    for (const final of ['declined', 'rejected', 'withdrawn'] as const) {
      expect(NOMINATION_STATUSES.filter((to) => canMoveNomination(final, to))).toEqual([]);
      expect(ACTIVE_NOMINATION_STATUSES).not.toContain(final);
    }
    expect([...ACTIVE_NOMINATION_STATUSES].sort()).toEqual(['accepted', 'awaiting_consent', 'consented', 'enrolled', 'submitted']);
  });
});
