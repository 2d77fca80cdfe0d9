import { canTransition, COHORT_STATUSES, CohortStatus, enrolmentClosedReason, invalidCohortDates } from './cohort-status';

const at = (iso: string) => new Date(iso);

describe('canTransition (the cohort lifecycle)', () => {
  const allowed: [CohortStatus, CohortStatus][] = [
    ['draft', 'open'],
    ['draft', 'cancelled'],
    ['open', 'closed'],
    ['open', 'cancelled'],
    ['closed', 'open'],
    ['closed', 'running'],
    ['closed', 'cancelled'],
    ['running', 'completed'],
    ['running', 'cancelled'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('allows nothing else: every other pair of statuses is refused', () => {
    const refused = COHORT_STATUSES.flatMap((from) => COHORT_STATUSES.map((to) => [from, to] as [CohortStatus, CohortStatus])).filter(
      ([from, to]) => !allowed.some(([f, t]) => f === from && t === to),
    );
    expect(refused).toHaveLength(COHORT_STATUSES.length ** 2 - allowed.length);
    for (const [from, to] of refused) expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: false });
  });

  it.each<[CohortStatus, CohortStatus]>([
    ['draft', 'running'],
    ['draft', 'closed'],
    ['draft', 'completed'],
    ['open', 'running'],
    ['open', 'completed'],
    ['open', 'draft'],
    ['closed', 'completed'],
    ['running', 'open'],
    ['running', 'closed'],
    ['completed', 'cancelled'],
    ['completed', 'open'],
    ['cancelled', 'open'],
    ['cancelled', 'draft'],
    ['cancelled', 'cancelled'],
    ['open', 'open'],
  ])('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('treats completed and cancelled as final', () => {
    for (const to of COHORT_STATUSES) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('cancelled', to)).toBe(false);
    }
  });
});

describe('enrolmentClosedReason', () => {
  const window = { enrolmentOpensAt: at('2027-03-01T09:00:00Z'), enrolmentClosesAt: at('2027-03-31T17:00:00Z') };
  const inside = at('2027-03-15T12:00:00Z');

  it('is null for an open cohort inside its enrolment window', () => {
    expect(enrolmentClosedReason({ ...window, status: 'open' }, inside)).toBeNull();
  });

  it('takes enrolments from the very moment the window opens', () => {
    expect(enrolmentClosedReason({ ...window, status: 'open' }, window.enrolmentOpensAt)).toBeNull();
  });

  it('takes enrolments up to the last millisecond before the window closes', () => {
    expect(enrolmentClosedReason({ ...window, status: 'open' }, new Date(window.enrolmentClosesAt.getTime() - 1))).toBeNull();
  });

  it.each<CohortStatus>(['draft', 'closed', 'running', 'completed', 'cancelled'])('says a %s cohort is not open, even inside the window', (status) => {
    expect(enrolmentClosedReason({ ...window, status }, inside)).toBe(`The cohort is ${status}, not open for enrolment.`);
  });

  it('says when enrolment opens, before the window', () => {
    expect(enrolmentClosedReason({ ...window, status: 'open' }, new Date(window.enrolmentOpensAt.getTime() - 1))).toBe('Enrolment opens at 2027-03-01T09:00:00.000Z.');
  });

  it('says when enrolment closed, at and after the close of the window', () => {
    expect(enrolmentClosedReason({ ...window, status: 'open' }, window.enrolmentClosesAt)).toBe('Enrolment closed at 2027-03-31T17:00:00.000Z.');
    expect(enrolmentClosedReason({ ...window, status: 'open' }, at('2027-06-01T00:00:00Z'))).toBe('Enrolment closed at 2027-03-31T17:00:00.000Z.');
  });

  it('gives the status reason first for a cohort that is neither open nor in its window', () => {
    expect(enrolmentClosedReason({ ...window, status: 'draft' }, at('2027-01-01T00:00:00Z'))).toBe('The cohort is draft, not open for enrolment.');
  });
});

describe('invalidCohortDates', () => {
  const good = {
    enrolmentOpensAt: at('2027-03-01T09:00:00Z'),
    enrolmentClosesAt: at('2027-03-31T17:00:00Z'),
    startsAt: at('2027-04-15T09:00:00Z'),
    endsAt: at('2027-10-15T17:00:00Z'),
  };

  it('finds nothing wrong with dates in order', () => {
    expect(invalidCohortDates(good)).toEqual([]);
  });

  it('allows enrolment to close exactly when the cohort starts', () => {
    expect(invalidCohortDates({ ...good, enrolmentClosesAt: good.startsAt })).toEqual([]);
  });

  it('refuses an enrolment window that closes before (or when) it opens', () => {
    expect(invalidCohortDates({ ...good, enrolmentClosesAt: at('2027-02-01T00:00:00Z') })).toEqual([{ field: 'enrolmentClosesAt', message: 'enrolmentClosesAt must be after enrolmentOpensAt' }]);
    expect(invalidCohortDates({ ...good, enrolmentClosesAt: good.enrolmentOpensAt })).toEqual([{ field: 'enrolmentClosesAt', message: 'enrolmentClosesAt must be after enrolmentOpensAt' }]);
  });

  it('refuses enrolment closing after the cohort starts', () => {
    expect(invalidCohortDates({ ...good, enrolmentClosesAt: at('2027-04-16T00:00:00Z') })).toEqual([{ field: 'enrolmentClosesAt', message: 'enrolmentClosesAt must not be after startsAt' }]);
  });

  it('refuses a cohort that ends before (or when) it starts', () => {
    expect(invalidCohortDates({ ...good, endsAt: at('2027-04-01T00:00:00Z') })).toEqual([{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    expect(invalidCohortDates({ ...good, endsAt: good.startsAt })).toEqual([{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
  });

  it('lists every problem at once', () => {
    const problems = invalidCohortDates({ enrolmentOpensAt: at('2027-05-01T00:00:00Z'), enrolmentClosesAt: at('2027-04-20T00:00:00Z'), startsAt: at('2027-04-15T00:00:00Z'), endsAt: at('2027-04-01T00:00:00Z') });
    expect(problems.map((p) => p.message)).toEqual(['enrolmentClosesAt must be after enrolmentOpensAt', 'enrolmentClosesAt must not be after startsAt', 'endsAt must be after startsAt']);
  });
});
