import type { NominationStatus, Readiness } from './nomination-status';
import { PIPELINE_STAGES, PipelineFacts, pipelinePosition } from './pipeline-stage';

const at = (iso: string) => new Date(`${iso}T09:00:00Z`);

type NominationFact = PipelineFacts['nominations'][number];

function nomination(createdAt: string, options: { consentedAt?: string | null; readiness?: Readiness; status?: NominationStatus } = {}): NominationFact {
  return {
    createdAt: at(createdAt),
    consentedAt: options.consentedAt ? at(options.consentedAt) : null,
    readiness: options.readiness ?? 'ready_1_2_years',
    status: options.status ?? (options.consentedAt ? 'consented' : 'awaiting_consent'),
  };
}

function facts(partial: Partial<PipelineFacts> = {}): PipelineFacts {
  return { nominations: [], poolMemberships: [], enrolments: [], appointments: [], ...partial };
}

const stagesOf = (f: PipelineFacts) => pipelinePosition(f).history.map((entry) => entry.stage);

describe('pipelinePosition (the leadership pipeline stages)', () => {
  it('puts someone with no pipeline facts nowhere: stage null and no history', () => {
    expect(pipelinePosition(facts())).toEqual({ stage: null, history: [] });
  });

  describe('each stage rule', () => {
    it('identifies someone when a lead first nominates them, even before they consent', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10')] }));
      expect(position).toEqual({ stage: 'identified', history: [{ stage: 'identified', at: at('2027-01-10'), reason: 'nominated by a lead' }] });
    });

    it('identifies someone added to a talent pool, with that as the reason', () => {
      const position = pipelinePosition(facts({ poolMemberships: [{ createdAt: at('2027-02-01') }] }));
      expect(position).toEqual({ stage: 'identified', history: [{ stage: 'identified', at: at('2027-02-01'), reason: 'added to a talent pool' }] });
    });

    it('identifies by whichever came first: a pool place before any nomination gives the pool as the reason', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-03-01')], poolMemberships: [{ createdAt: at('2027-02-01') }] }));
      expect(position.history).toEqual([{ stage: 'identified', at: at('2027-02-01'), reason: 'added to a talent pool' }]);
    });

    it('identifies by whichever came first: a nomination before the pool place gives the nomination as the reason', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-01')], poolMemberships: [{ createdAt: at('2027-02-01') }] }));
      expect(position.history).toEqual([{ stage: 'identified', at: at('2027-01-01'), reason: 'nominated by a lead' }]);
    });

    it('counts someone as nominated only once they consent, dated at the consent', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12' })] }));
      expect(position.stage).toBe('nominated');
      expect(position.history).toEqual([
        { stage: 'identified', at: at('2027-01-10'), reason: 'nominated by a lead' },
        { stage: 'nominated', at: at('2027-01-12'), reason: 'consented to a nomination' },
      ]);
    });

    it('does not count a nomination that was declined (no consent) as nominated', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { status: 'declined' })] }));
      expect(position.stage).toBe('identified');
    });

    it('puts someone in development when first enrolled in a cohort', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12' })], enrolments: [{ enrolledAt: at('2027-02-01'), completedAt: null }] }));
      expect(position.stage).toBe('in_development');
      expect(position.history.at(-1)).toEqual({ stage: 'in_development', at: at('2027-02-01'), reason: 'enrolled in a cohort' });
    });

    it('ignores an enrolment that never got a seat (waitlisted: no enrolled date)', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12' })], enrolments: [{ enrolledAt: null, completedAt: null }] }));
      expect(position.stage).toBe('nominated');
    });

    it('marks completion when a cohort is first completed', () => {
      const position = pipelinePosition(facts({ enrolments: [{ enrolledAt: at('2027-02-01'), completedAt: at('2027-09-30') }] }));
      expect(position.stage).toBe('completed');
      expect(position.history.at(-1)).toEqual({ stage: 'completed', at: at('2027-09-30'), reason: 'completed a cohort' });
    });

    it('records an appointment as the furthest stage, dated at the appointment', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12' })], appointments: [{ appointedOn: at('2028-04-01') }] }));
      expect(position.stage).toBe('appointed');
      expect(position.history.at(-1)).toEqual({ stage: 'appointed', at: at('2028-04-01'), reason: 'appointed to a post' });
    });
  });

  describe('ready', () => {
    const completedCohort = { enrolledAt: at('2027-02-01'), completedAt: at('2027-09-30') };

    it('is reached by completing a cohort when the latest rating is ready now, dated at completion when the rating came first', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_now' })], enrolments: [completedCohort] }));
      expect(position.stage).toBe('ready');
      expect(position.history.at(-1)).toEqual({ stage: 'ready', at: at('2027-09-30'), reason: 'rated ready now, having completed a cohort' });
    });

    it('is dated at the rating when someone is rated ready now after completing', () => {
      const position = pipelinePosition(
        facts({
          nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_3_plus_years' }), nomination('2027-11-15', { readiness: 'ready_now' })],
          enrolments: [completedCohort],
        }),
      );
      expect(position.stage).toBe('ready');
      expect(position.history.at(-1)).toEqual({ stage: 'ready', at: at('2027-11-15'), reason: 'rated ready now, having completed a cohort' });
    });

    it('is not reached when the latest rating is not ready now, even though an earlier one was', () => {
      const position = pipelinePosition(
        facts({
          // Given out of date order: the latest by date (not by position) decides.
          nominations: [nomination('2027-11-15', { readiness: 'ready_1_2_years' }), nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_now' })],
          enrolments: [completedCohort],
        }),
      );
      expect(position.stage).toBe('completed');
      expect(stagesOf(facts({ nominations: [nomination('2027-11-15', { readiness: 'ready_1_2_years' }), nomination('2027-01-10', { readiness: 'ready_now' })], enrolments: [completedCohort] }))).not.toContain('ready');
    });

    it('is reached when the latest of several ratings is ready now, whatever order they come in', () => {
      const position = pipelinePosition(
        facts({
          nominations: [nomination('2027-12-01', { readiness: 'ready_now' }), nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_3_plus_years' })],
          enrolments: [completedCohort],
        }),
      );
      expect(position.stage).toBe('ready');
      expect(position.history.find((entry) => entry.stage === 'ready')?.at).toEqual(at('2027-12-01'));
    });

    it('is not reached by a ready-now rating without a completed cohort', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_now' })], enrolments: [{ enrolledAt: at('2027-02-01'), completedAt: null }] }));
      expect(position.stage).toBe('in_development');
      expect(stagesOf(facts({ nominations: [nomination('2027-01-10', { readiness: 'ready_now' })] }))).toEqual(['identified']);
    });

    it('is not reached by completing without any rating at all', () => {
      expect(stagesOf(facts({ enrolments: [completedCohort] }))).toEqual(['in_development', 'completed']);
    });
  });

  describe('skipped stages and ordering', () => {
    it('lets someone enrol without a nomination: in development, with no identified or nominated stage', () => {
      const position = pipelinePosition(facts({ enrolments: [{ enrolledAt: at('2027-02-01'), completedAt: null }] }));
      expect(position).toEqual({ stage: 'in_development', history: [{ stage: 'in_development', at: at('2027-02-01'), reason: 'enrolled in a cohort' }] });
    });

    it('lets someone be appointed with nothing else recorded', () => {
      expect(pipelinePosition(facts({ appointments: [{ appointedOn: at('2027-06-01') }] }))).toEqual({
        stage: 'appointed',
        history: [{ stage: 'appointed', at: at('2027-06-01'), reason: 'appointed to a post' }],
      });
    });

    it('lists history in pipeline order and takes the furthest stage, even when the dates run in another order', () => {
      // Appointed before they were ever nominated, and enrolled before being identified.
      const position = pipelinePosition(
        facts({
          nominations: [nomination('2027-05-01', { consentedAt: '2027-05-03' })],
          enrolments: [{ enrolledAt: at('2027-03-01'), completedAt: null }],
          appointments: [{ appointedOn: at('2027-01-01') }],
        }),
      );
      expect(position.history.map((entry) => entry.stage)).toEqual(['identified', 'nominated', 'in_development', 'appointed']);
      expect(position.stage).toBe('appointed');
    });

    it('lists every stage once, in the documented order, for someone who went all the way', () => {
      const position = pipelinePosition(
        facts({
          nominations: [nomination('2027-01-10', { consentedAt: '2027-01-12', readiness: 'ready_now', status: 'enrolled' })],
          poolMemberships: [{ createdAt: at('2027-01-20') }],
          enrolments: [{ enrolledAt: at('2027-02-01'), completedAt: at('2027-09-30') }],
          appointments: [{ appointedOn: at('2028-01-01') }],
        }),
      );
      expect(position.history.map((entry) => entry.stage)).toEqual([...PIPELINE_STAGES]);
      expect(position.history.map((entry) => entry.at)).toEqual([at('2027-01-10'), at('2027-01-12'), at('2027-02-01'), at('2027-09-30'), at('2027-09-30'), at('2028-01-01')]);
      expect(position.stage).toBe('appointed');
    });
  });

  describe('earliest dates', () => {
    it('dates each stage at the first time it was reached, whatever order the facts come in', () => {
      const position = pipelinePosition(
        facts({
          nominations: [nomination('2027-06-01', { consentedAt: '2027-06-05' }), nomination('2027-03-01', { consentedAt: '2027-03-20' }), nomination('2027-04-01', { consentedAt: null })],
          poolMemberships: [{ createdAt: at('2027-05-01') }, { createdAt: at('2027-03-15') }],
          enrolments: [
            { enrolledAt: at('2027-09-01'), completedAt: at('2028-02-01') },
            { enrolledAt: at('2027-07-01'), completedAt: null },
            { enrolledAt: at('2027-08-01'), completedAt: at('2027-12-01') },
          ],
          appointments: [{ appointedOn: at('2028-06-01') }, { appointedOn: at('2028-03-01') }],
        }),
      );
      expect(position.history).toEqual([
        { stage: 'identified', at: at('2027-03-01'), reason: 'nominated by a lead' },
        { stage: 'nominated', at: at('2027-03-20'), reason: 'consented to a nomination' },
        { stage: 'in_development', at: at('2027-07-01'), reason: 'enrolled in a cohort' },
        { stage: 'completed', at: at('2027-12-01'), reason: 'completed a cohort' },
        { stage: 'appointed', at: at('2028-03-01'), reason: 'appointed to a post' },
      ]);
    });

    it('takes the first consent, not the first nomination, for the nominated stage', () => {
      const position = pipelinePosition(facts({ nominations: [nomination('2027-01-01', { status: 'declined' }), nomination('2027-02-01', { consentedAt: '2027-02-10' })] }));
      expect(position.history).toEqual([
        { stage: 'identified', at: at('2027-01-01'), reason: 'nominated by a lead' },
        { stage: 'nominated', at: at('2027-02-10'), reason: 'consented to a nomination' },
      ]);
    });

    it('does not change the facts it is given', () => {
      const input = facts({
        nominations: [nomination('2027-06-01', { readiness: 'ready_now' }), nomination('2027-01-01', { consentedAt: '2027-01-05' })],
        enrolments: [{ enrolledAt: at('2027-03-01'), completedAt: at('2027-05-01') }],
      });
      const before = JSON.stringify(input);
      pipelinePosition(input);
      expect(JSON.stringify(input)).toBe(before);
    });
  });
});
