import { ENROLMENT_STATUSES, EnrolmentStatus } from './enrolment.entity';
import { COHORT_STATUSES, CohortStatus } from './cohort-status';
import { admit, holdsSeat, promotion, SeatLedger, seatsAfterLeaving, seatsToPromote } from './seat-policy';

const ledger = (over: Partial<SeatLedger> = {}): SeatLedger => ({ capacity: 2, seatsTaken: 0, waitlistTickets: 0, waitlistEnabled: true, ...over });

describe('admit (someone arrives, or an application is approved)', () => {
  it('gives a free seat and counts it', () => {
    expect(admit(ledger({ seatsTaken: 1 }))).toEqual({ outcome: 'enrolled', ledger: ledger({ seatsTaken: 2 }) });
  });

  it('hands out the next waitlist ticket once every seat is taken, leaving the seats alone', () => {
    expect(admit(ledger({ seatsTaken: 2, waitlistTickets: 7 }))).toEqual({ outcome: 'waitlisted', ticket: 8, ledger: ledger({ seatsTaken: 2, waitlistTickets: 8 }) });
  });

  it('refuses when the cohort is full and has no waiting list', () => {
    expect(admit(ledger({ seatsTaken: 2, waitlistEnabled: false }))).toEqual({ outcome: 'full' });
  });

  it('parks someone needing approval as an application, whatever the seats, without counting anything', () => {
    for (const seatsTaken of [0, 2]) {
      const before = ledger({ seatsTaken, waitlistEnabled: false });
      expect(admit(before, true)).toEqual({ outcome: 'pending_approval', ledger: before });
    }
  });

  it('never takes more seats than the capacity and gives tickets in arrival order, for any run of arrivals', () => {
    for (const capacity of [0, 1, 3, 10]) {
      let state = ledger({ capacity });
      const outcomes: string[] = [];
      const tickets: number[] = [];
      for (let i = 0; i < capacity + 5; i += 1) {
        const arrival = admit(state);
        if (arrival.outcome === 'full' || arrival.outcome === 'pending_approval') throw new Error(`unexpected ${arrival.outcome}`);
        outcomes.push(arrival.outcome);
        if (arrival.outcome === 'waitlisted') tickets.push(arrival.ticket);
        state = arrival.ledger;
        expect(state.seatsTaken).toBeLessThanOrEqual(capacity);
      }
      expect(outcomes).toEqual([...Array(capacity).fill('enrolled'), ...Array(5).fill('waitlisted')]);
      expect(tickets).toEqual([1, 2, 3, 4, 5]);
      expect(state).toEqual(ledger({ capacity, seatsTaken: capacity, waitlistTickets: 5 }));
    }
  });

  it('does not change the ledger it is given', () => {
    const before = ledger();
    const frozen = Object.freeze({ ...before });
    admit(frozen);
    expect(frozen).toEqual(before);
  });
});

describe('holdsSeat', () => {
  it('is true for enrolled, offered, completed and not completed, and nothing else', () => {
    const holders = ENROLMENT_STATUSES.filter(holdsSeat);
    expect(holders).toEqual(['enrolled', 'offered', 'completed', 'not_completed']);
  });
});

describe('seatsToPromote', () => {
  it('offers the free seats of a cohort that still takes people', () => {
    for (const status of ['open', 'closed', 'running'] as CohortStatus[]) expect(seatsToPromote({ capacity: 10, seatsTaken: 7 }, status)).toBe(3);
  });

  it('offers none of a draft, completed or cancelled cohort', () => {
    for (const status of COHORT_STATUSES.filter((s) => !['open', 'closed', 'running'].includes(s))) expect(seatsToPromote({ capacity: 10, seatsTaken: 0 }, status)).toBe(0);
  });

  it('offers none when every seat is taken', () => {
    expect(seatsToPromote({ capacity: 4, seatsTaken: 4 }, 'open')).toBe(0);
  });
});

describe('promotion', () => {
  const now = new Date('2026-12-04T10:00:00Z');

  it('seats the next person straight away without an offer window', () => {
    expect(promotion(0, now)).toEqual({ status: 'enrolled', enrolledAt: now });
  });

  it('offers the seat until the window closes', () => {
    expect(promotion(48, now)).toEqual({ status: 'offered', offerExpiresAt: new Date('2026-12-06T10:00:00Z') });
  });
});

describe('seatsAfterLeaving', () => {
  it('frees one seat per seat holder among those leaving and none for the waiting or applicants', () => {
    const leaving: EnrolmentStatus[] = ['enrolled', 'offered', 'waitlisted', 'pending_approval', 'enrolled'];
    expect(seatsAfterLeaving(5, leaving)).toBe(2);
  });

  it('keeps the seats when nobody holding one leaves', () => {
    expect(seatsAfterLeaving(3, ['waitlisted', 'pending_approval'])).toBe(3);
    expect(seatsAfterLeaving(3, [])).toBe(3);
  });

  it('refuses a ledger that would go below zero (seats and enrolments out of step)', () => {
    expect(() => seatsAfterLeaving(1, ['enrolled', 'offered'])).toThrow(/out of step/);
  });
});
