import { GRADES, type Grade, type StaffGroup } from '@slp/identity';
import { gradeRank, ineligibilityReason } from './eligibility';

type Rules = { eligibleStaffGroups?: StaffGroup[]; minGrade?: Grade | null; maxGrade?: Grade | null };
const programme = (rules: Rules = {}) => ({ eligibleStaffGroups: rules.eligibleStaffGroups ?? [], minGrade: rules.minGrade ?? null, maxGrade: rules.maxGrade ?? null });
const person = (staffGroup: StaffGroup | null, grade: Grade | null) => ({ staffGroup, grade });

describe('ineligibilityReason', () => {
  describe('a programme open to everyone', () => {
    it('takes anyone, even with no staff group or grade on their profile', () => {
      expect(ineligibilityReason(programme(), person(null, null))).toBeNull();
      expect(ineligibilityReason(programme(), person('social_care', 'band_2'))).toBeNull();
    });
  });

  describe('staff groups', () => {
    const nursesAndAhps = programme({ eligibleStaffGroups: ['nursing_midwifery_registered', 'allied_health_professionals'] });

    it('takes someone in one of the programme’s staff groups', () => {
      expect(ineligibilityReason(nursesAndAhps, person('nursing_midwifery_registered', null))).toBeNull();
      expect(ineligibilityReason(nursesAndAhps, person('allied_health_professionals', 'band_6'))).toBeNull();
    });

    it('refuses someone in another staff group, naming the groups and theirs', () => {
      expect(ineligibilityReason(nursesAndAhps, person('estates_ancillary', 'band_7'))).toBe(
        'This programme is for staff groups nursing_midwifery_registered, allied_health_professionals; yours is estates_ancillary.',
      );
    });

    it('asks someone with no staff group to add it to their profile', () => {
      expect(ineligibilityReason(nursesAndAhps, person(null, 'band_7'))).toBe('This programme is for particular staff groups: add your staff group to your profile first.');
    });
  });

  describe('grades (inclusive range)', () => {
    const band7to8b = programme({ minGrade: 'band_7', maxGrade: 'band_8b' });

    it.each<Grade>(['band_7', 'band_8a', 'band_8b'])('takes grade %s, inside or on the boundary', (grade) => {
      expect(ineligibilityReason(band7to8b, person('other', grade))).toBeNull();
    });

    it('refuses the grade just below the minimum, naming both grades', () => {
      expect(ineligibilityReason(band7to8b, person('other', 'band_6'))).toBe('This programme starts at grade band_7; yours is band_6.');
    });

    it('refuses the grade just above the maximum, naming both grades', () => {
      expect(ineligibilityReason(band7to8b, person('other', 'band_8c'))).toBe('This programme goes up to grade band_8b; yours is band_8c.');
    });

    it('applies a minimum alone: anything from it upwards, including medical grades and VSM', () => {
      const from8a = programme({ minGrade: 'band_8a' });
      expect(ineligibilityReason(from8a, person('other', 'band_8a'))).toBeNull();
      expect(ineligibilityReason(from8a, person('other', 'vsm'))).toBeNull();
      expect(ineligibilityReason(from8a, person('other', 'band_7'))).toBe('This programme starts at grade band_8a; yours is band_7.');
    });

    it('applies a maximum alone: anything up to it', () => {
      const upTo5 = programme({ maxGrade: 'band_5' });
      expect(ineligibilityReason(upTo5, person('other', 'band_1'))).toBeNull();
      expect(ineligibilityReason(upTo5, person('other', 'band_5'))).toBeNull();
      expect(ineligibilityReason(upTo5, person('other', 'band_6'))).toBe('This programme goes up to grade band_5; yours is band_6.');
    });

    it('takes exactly one grade when the minimum and maximum are the same', () => {
      const only9 = programme({ minGrade: 'band_9', maxGrade: 'band_9' });
      expect(ineligibilityReason(only9, person('other', 'band_9'))).toBeNull();
      expect(ineligibilityReason(only9, person('other', 'band_8d'))).not.toBeNull();
      expect(ineligibilityReason(only9, person('other', 'medical_foundation'))).not.toBeNull();
    });

    it('asks someone with no grade to add it to their profile', () => {
      expect(ineligibilityReason(band7to8b, person('other', null))).toBe('This programme is for particular grades: add your grade to your profile first.');
      expect(ineligibilityReason(programme({ maxGrade: 'band_5' }), person('other', null))).toBe('This programme is for particular grades: add your grade to your profile first.');
    });
  });

  it('checks the staff group before the grade', () => {
    const rules = programme({ eligibleStaffGroups: ['medical_dental'], minGrade: 'medical_consultant' });
    expect(ineligibilityReason(rules, person('administrative_clerical', 'band_3'))).toBe('This programme is for staff groups medical_dental; yours is administrative_clerical.');
    expect(ineligibilityReason(rules, person('medical_dental', 'medical_specialty'))).toBe('This programme starts at grade medical_consultant; yours is medical_specialty.');
    expect(ineligibilityReason(rules, person('medical_dental', 'medical_consultant'))).toBeNull();
  });
});

describe('gradeRank', () => {
  it('orders Agenda for Change bands from band 1 to band 9', () => {
    const bands: Grade[] = ['band_1', 'band_2', 'band_3', 'band_4', 'band_5', 'band_6', 'band_7', 'band_8a', 'band_8b', 'band_8c', 'band_8d', 'band_9'];
    const ranks = bands.map(gradeRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(bands.length);
  });

  it('puts medical grades, then VSM and non-AfC after the bands, in the order of GRADES', () => {
    expect(gradeRank('band_9')).toBeLessThan(gradeRank('medical_foundation'));
    expect(gradeRank('medical_foundation')).toBeLessThan(gradeRank('medical_specialty'));
    expect(gradeRank('medical_specialty')).toBeLessThan(gradeRank('medical_consultant'));
    expect(gradeRank('medical_consultant')).toBeLessThan(gradeRank('vsm'));
    expect(gradeRank('vsm')).toBeLessThan(gradeRank('non_afc'));
  });

  it('gives every grade its index in GRADES (a known, non-negative rank)', () => {
    expect(GRADES.map((grade) => gradeRank(grade))).toEqual(GRADES.map((_, i) => i));
  });
});
