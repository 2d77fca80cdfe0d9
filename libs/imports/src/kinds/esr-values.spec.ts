import { gradeOf, primaryAssignmentOf, staffGroupOf } from './esr-values';

describe('ESR values', () => {
  it.each([
    ['Administrative and Clerical', 'administrative_clerical'],
    ['Add Prof Scientific and Technic', 'additional_professional_scientific_technical'],
    ['Nursing and Midwifery Registered', 'nursing_midwifery_registered'],
    ['Medical and Dental', 'medical_dental'],
    ['Estates & Ancillary', 'estates_ancillary'],
    ['students', 'students'],
    ['allied_health_professionals', 'allied_health_professionals'],
  ])('maps the staff group %s to %s', (value, expected) => expect(staffGroupOf(value)).toBe(expected));

  it.each(['Nursing', 'Admin', '', 'Other Staff'])('does not guess the staff group %j', (value) => expect(staffGroupOf(value)).toBeNull());

  it.each([
    ['Band 5', 'band_5'],
    ['Band 8a', 'band_8a'],
    ['Band 8 - Range C', 'band_8c'],
    ['Agenda for Change Band 6', 'band_6'],
    ['Review Body Band 7', 'band_7'],
    ['band_9', 'band_9'],
    ['Consultant', 'medical_consultant'],
    ['Foundation Year 1', 'medical_foundation'],
    ['Very Senior Manager', 'vsm'],
    ['Non AfC', 'non_afc'],
  ])('maps the grade %s to %s', (value, expected) => expect(gradeOf(value)).toBe(expected));

  it.each(['Band 8', 'Band 10', 'Band 5a', 'Band 8e', 'Senior', ''])('does not guess the grade %j', (value) => expect(gradeOf(value)).toBeNull());

  it('reads the primary assignment flag, and nothing else as one', () => {
    expect(primaryAssignmentOf('Yes')).toBe(true);
    expect(primaryAssignmentOf('N')).toBe(false);
    expect(primaryAssignmentOf('maybe')).toBeNull();
  });
});
