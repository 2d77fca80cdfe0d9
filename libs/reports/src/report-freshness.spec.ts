import { reportFreshness } from './report-freshness';

describe('reportFreshness', () => {
  const now = Date.now();
  const secondsAgo = (s: number) => new Date(now - s * 1000);

  it('is as old as the replica is behind when nothing older went into the report', () => {
    const freshness = reportFreshness({ source: 'replica', replica: 'replica-1', lagSeconds: 4, asOf: secondsAgo(4) });

    expect(freshness).toMatchObject({ source: 'replica', replicaLagSeconds: 4, asOf: secondsAgo(4).toISOString() });
    expect(freshness.ageSeconds).toBeGreaterThanOrEqual(4);
    expect(freshness.ageSeconds).toBeLessThan(5);
  });

  it('is as old as the summary when the summary was built before the replica fell behind (the lag is not counted twice)', () => {
    const freshness = reportFreshness({ source: 'replica', replica: 'replica-1', lagSeconds: 4, asOf: secondsAgo(4) }, secondsAgo(600));

    expect(freshness.asOf).toBe(secondsAgo(600).toISOString());
    expect(freshness.ageSeconds).toBeGreaterThanOrEqual(600);
    expect(freshness.ageSeconds).toBeLessThan(601);
  });

  it('on the primary is as old as the summary, or current without one', () => {
    expect(reportFreshness({ source: 'primary', lagSeconds: 0, asOf: new Date(now) }, secondsAgo(60).toISOString())).toMatchObject({ source: 'primary', replicaLagSeconds: 0, asOf: secondsAgo(60).toISOString() });
    expect(reportFreshness({ source: 'primary', lagSeconds: 0, asOf: new Date(now) }, null).asOf).toBe(new Date(now).toISOString());
  });
});
