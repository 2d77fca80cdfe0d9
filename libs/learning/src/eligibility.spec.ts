import { GRADES, type Grade, type StaffGroup } from '@slp/identity';
import { AFC_BANDS, eligibilitySummary, gradeRank, gradeSummary, ineligibilityReason } from './eligibility';

type Rules = { eligibleStaffGroups?: StaffGroup[]; minGrade?: Grade | null; maxGrade?: Grade | null; eligibleGrades?: Grade[] };
const programme = (rules: Rules = {}) => ({ eligibleStaffGroups: rules.eligibleStaffGroups ?? [], minGrade: rules.minGrade ?? null, maxGrade: rules.maxGrade ?? null, eligibleGrades: rules.eligibleGrades ?? [] });
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

    it('applies a minimum alone: any band from it upwards, but no grade outside Agenda for Change', () => {
      const from8a = programme({ minGrade: 'band_8a' });
      expect(ineligibilityReason(from8a, person('other', 'band_8a'))).toBeNull();
      expect(ineligibilityReason(from8a, person('other', 'band_9'))).toBeNull();
      expect(ineligibilityReason(from8a, person('other', 'vsm'))).toBe('This programme is for Agenda for Change band 8a and above; yours is vsm.');
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
    const rules = programme({ eligibleStaffGroups: ['medical_dental'], eligibleGrades: ['medical_consultant'] });
    expect(ineligibilityReason(rules, person('administrative_clerical', 'band_3'))).toBe('This programme is for staff groups medical_dental; yours is administrative_clerical.');
    expect(ineligibilityReason(rules, person('medical_dental', 'medical_specialty'))).toBe('This programme is for consultants; yours is medical_specialty.');
    expect(ineligibilityReason(rules, person('medical_dental', 'medical_consultant'))).toBeNull();
  });
});

describe('grades outside Agenda for Change', () => {
  const NON_AFC = GRADES.filter((grade) => !AFC_BANDS.includes(grade));

  it('counts band_1 to band_9 as Agenda for Change and nothing else', () => {
    expect(AFC_BANDS).toEqual(['band_1', 'band_2', 'band_3', 'band_4', 'band_5', 'band_6', 'band_7', 'band_8a', 'band_8b', 'band_8c', 'band_8d', 'band_9']);
  });

  it.each(NON_AFC)('a band range (8a and above, or up to 5) refuses %s unless the programme lists it', (grade) => {
    expect(ineligibilityReason(programme({ minGrade: 'band_8a' }), person('other', grade))).not.toBeNull();
    expect(ineligibilityReason(programme({ maxGrade: 'band_5' }), person('other', grade))).not.toBeNull();
    expect(ineligibilityReason(programme({ minGrade: 'band_1', maxGrade: 'band_9' }), person('other', grade))).not.toBeNull();
    expect(ineligibilityReason(programme({ minGrade: 'band_8a', eligibleGrades: [grade] }), person('other', grade))).toBeNull();
  });

  it('takes listed grades alongside a band range, and only those', () => {
    const rules = programme({ minGrade: 'band_8a', eligibleGrades: ['gp', 'medical_consultant'] });
    expect(ineligibilityReason(rules, person('other', 'gp'))).toBeNull();
    expect(ineligibilityReason(rules, person('other', 'medical_consultant'))).toBeNull();
    expect(ineligibilityReason(rules, person('other', 'band_8c'))).toBeNull();
    expect(ineligibilityReason(rules, person('other', 'medical_foundation'))).toBe('This programme is for Agenda for Change band 8a and above, and consultants and GPs; yours is medical_foundation.');
    expect(ineligibilityReason(rules, person('other', 'non_afc'))).not.toBeNull();
    expect(ineligibilityReason(rules, person('other', 'band_7'))).toBe('This programme starts at grade band_8a; yours is band_7.');
  });

  it('with only listed grades, refuses every band not listed', () => {
    const gps = programme({ eligibleGrades: ['gp'] });
    expect(ineligibilityReason(gps, person('other', 'gp'))).toBeNull();
    expect(ineligibilityReason(gps, person('other', 'band_9'))).toBe('This programme is for GPs; yours is band_9.');
    expect(ineligibilityReason(gps, person('other', null))).toBe('This programme is for particular grades: add your grade to your profile first.');
  });
});

describe('eligibility in plain words', () => {
  it.each<[Rules, string]>([
    [{}, 'Open to everyone'],
    [{ minGrade: 'band_8a', eligibleGrades: ['gp'] }, 'Agenda for Change band 8a and above, and GPs'],
    [{ minGrade: 'band_7', maxGrade: 'band_8b' }, 'Agenda for Change bands 7 to 8b'],
    [{ minGrade: 'band_9', maxGrade: 'band_9' }, 'Agenda for Change band 9'],
    [{ maxGrade: 'band_5' }, 'Agenda for Change band 5 and below'],
    [{ eligibleGrades: ['gp', 'medical_consultant'] }, 'Consultants and GPs'],
    [{ eligibleStaffGroups: ['nursing_midwifery_registered'] }, 'Staff groups nursing midwifery registered, any grade'],
    [{ eligibleStaffGroups: ['social_care', 'other'], minGrade: 'band_6' }, 'Staff groups social care and other; Agenda for Change band 6 and above'],
  ])('%j reads %p', (rules, summary) => {
    expect(eligibilitySummary(programme(rules))).toBe(summary);
  });

  it('names every grade the summary could mention', () => {
    expect(gradeSummary(programme({ eligibleGrades: [...GRADES] }))).not.toMatch(/_/);
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
