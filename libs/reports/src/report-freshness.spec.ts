import { reportFreshness } from './report-freshness';

describe('reportFreshness', () => {
  const now = Date.now();
  const secondsAgo = (s: number) => new Date(now - s * 1000);

  it('is as old as the replica is behind', () => {
    const freshness = reportFreshness({ source: 'replica', replica: 'replica-1', lagSeconds: 4, asOf: secondsAgo(4) });

    expect(freshness).toMatchObject({ source: 'replica', replicaLagSeconds: 4, asOf: secondsAgo(4).toISOString() });
    expect(freshness.ageSeconds).toBeGreaterThanOrEqual(4);
    expect(freshness.ageSeconds).toBeLessThan(5);
  });

  it('on the primary is current: the summary is written with each change', () => {
    const freshness = reportFreshness({ source: 'primary', lagSeconds: 0, asOf: new Date(now) });

    expect(freshness).toMatchObject({ source: 'primary', replicaLagSeconds: 0, asOf: new Date(now).toISOString() });
    expect(freshness.ageSeconds).toBeLessThan(1);
  });
});
