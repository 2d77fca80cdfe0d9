import type { Grade, StaffGroup } from '@slp/identity';

/** Words a person recognises for each stored code (ESR staff groups, Agenda for Change bands and grades). */
export const STAFF_GROUP_LABELS: Readonly<Record<StaffGroup, string>> = {
  additional_clinical_services: 'Additional clinical services',
  additional_professional_scientific_technical: 'Additional professional, scientific and technical',
  administrative_clerical: 'Administrative and clerical',
  allied_health_professionals: 'Allied health professionals',
  estates_ancillary: 'Estates and ancillary',
  healthcare_scientists: 'Healthcare scientists',
  medical_dental: 'Medical and dental',
  nursing_midwifery_registered: 'Nursing and midwifery registered',
  students: 'Students',
  social_care: 'Social care',
  local_government: 'Local government',
  voluntary_sector: 'Voluntary sector',
  other: 'Other',
};

export const GRADE_LABELS: Readonly<Record<Grade, string>> = {
  band_1: 'Band 1',
  band_2: 'Band 2',
  band_3: 'Band 3',
  band_4: 'Band 4',
  band_5: 'Band 5',
  band_6: 'Band 6',
  band_7: 'Band 7',
  band_8a: 'Band 8a',
  band_8b: 'Band 8b',
  band_8c: 'Band 8c',
  band_8d: 'Band 8d',
  band_9: 'Band 9',
  medical_foundation: 'Foundation doctor',
  medical_specialty: 'Specialty doctor or registrar',
  medical_consultant: 'Consultant',
  gp: 'GP',
  vsm: 'Very senior manager',
  non_afc: 'Not on Agenda for Change',
};

/** Equality monitoring questions, in the NHS Data Dictionary's categories, each with "Prefer not to say". */
export interface EqualityQuestion {
  readonly name: 'ethnicity' | 'sex' | 'disability' | 'sexualOrientation' | 'religion' | 'ageBand';
  readonly legend: string;
  readonly hint?: string;
  readonly options: readonly (readonly [value: string, text: string])[];
}

const PREFER_NOT = ['prefer_not_to_say', 'Prefer not to say'] as const;

export const EQUALITY_QUESTIONS: readonly EqualityQuestion[] = [
  {
    name: 'ethnicity',
    legend: 'What is your ethnic group?',
    options: [
      ['A', 'White: British'],
      ['B', 'White: Irish'],
      ['C', 'White: any other White background'],
      ['D', 'Mixed: White and Black Caribbean'],
      ['E', 'Mixed: White and Black African'],
      ['F', 'Mixed: White and Asian'],
      ['G', 'Mixed: any other mixed background'],
      ['H', 'Asian or Asian British: Indian'],
      ['J', 'Asian or Asian British: Pakistani'],
      ['K', 'Asian or Asian British: Bangladeshi'],
      ['L', 'Asian or Asian British: any other Asian background'],
      ['M', 'Black or Black British: Caribbean'],
      ['N', 'Black or Black British: African'],
      ['P', 'Black or Black British: any other Black background'],
      ['R', 'Other ethnic group: Chinese'],
      ['S', 'Other ethnic group: any other ethnic group'],
      PREFER_NOT,
    ],
  },
  { name: 'sex', legend: 'What is your sex?', options: [['female', 'Female'], ['male', 'Male'], PREFER_NOT] },
  {
    name: 'disability',
    legend: 'Do you consider yourself to have a disability?',
    hint: 'The Equality Act 2010 says a disability is a physical or mental impairment with a substantial and long-term effect on your ability to do normal daily activities.',
    options: [['yes', 'Yes'], ['no', 'No'], PREFER_NOT],
  },
  {
    name: 'sexualOrientation',
    legend: 'What is your sexual orientation?',
    options: [['heterosexual', 'Heterosexual or straight'], ['gay_or_lesbian', 'Gay or lesbian'], ['bisexual', 'Bisexual'], ['other', 'Other sexual orientation'], PREFER_NOT],
  },
  {
    name: 'religion',
    legend: 'What is your religion or belief?',
    options: [['no_religion', 'No religion'], ['buddhist', 'Buddhist'], ['christian', 'Christian'], ['hindu', 'Hindu'], ['jewish', 'Jewish'], ['muslim', 'Muslim'], ['sikh', 'Sikh'], ['other', 'Any other religion or belief'], PREFER_NOT],
  },
  {
    name: 'ageBand',
    legend: 'What is your age?',
    options: [['under_25', 'Under 25'], ['25_34', '25 to 34'], ['35_44', '35 to 44'], ['45_54', '45 to 54'], ['55_64', '55 to 64'], ['65_plus', '65 or over'], PREFER_NOT],
  },
];
