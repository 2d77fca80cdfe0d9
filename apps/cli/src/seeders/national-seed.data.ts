/**
 * Vocabularies and proportions for the synthetic national dataset (national-seed.ts). Every list
 * of `[value, weight]` is a categorical distribution; weights need not sum to 100. Sources for
 * the proportions are public NHS workforce statistics (NHS Digital, WRES/WDES), rounded: good
 * enough for realistic-looking reports, not for analysis.
 */
import type { OrganisationType } from '@slp/directory';
import type { Grade, StaffGroup } from '@slp/identity';
import type { LeadershipLevel } from '@slp/learning';

export type Weighted<T extends string = string> = readonly (readonly [T, number])[];

/** How many organisations of each type at scale 1 (ICBs are always one per system). */
export const ORGANISATION_COUNTS: Readonly<Record<Exclude<OrganisationType, 'icb'>, number>> = {
  gp_practice: 4_550,
  primary_care_network: 1_050,
  acute_trust: 125,
  mental_health_trust: 50,
  community_trust: 20,
  ambulance_trust: 10,
  local_authority: 150,
  hospice: 180,
  vcse: 500,
  social_care: 323,
};

/** Mean headcount per organisation type (relative: people are shared out by these weights). */
export const ORGANISATION_HEADCOUNT: Readonly<Record<OrganisationType, number>> = {
  acute_trust: 6_000,
  mental_health_trust: 3_600,
  community_trust: 3_200,
  ambulance_trust: 4_000,
  icb: 350,
  gp_practice: 30,
  primary_care_network: 25,
  local_authority: 500,
  social_care: 120,
  vcse: 25,
  hospice: 120,
};

/** Synthetic ODS code prefixes: never a real organisation's code. */
export const ODS_PREFIX: Readonly<Record<OrganisationType, string>> = {
  acute_trust: 'SYA',
  mental_health_trust: 'SYM',
  community_trust: 'SYC',
  ambulance_trust: 'SYX',
  icb: 'SYI',
  gp_practice: 'SYG',
  primary_care_network: 'SYP',
  local_authority: 'SYL',
  social_care: 'SYS',
  vcse: 'SYV',
  hospice: 'SYH',
};

/** Email domains under the reserved `.example` TLD, so nothing is ever sent to a real mailbox. */
export const EMAIL_DOMAIN_SUFFIX = 'synthetic.example';
export const EMAIL_DOMAIN: Readonly<Record<OrganisationType, string>> = {
  acute_trust: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  mental_health_trust: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  community_trust: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  ambulance_trust: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  icb: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  gp_practice: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  primary_care_network: `nhs.${EMAIL_DOMAIN_SUFFIX}`,
  local_authority: `council.${EMAIL_DOMAIN_SUFFIX}`,
  social_care: `care.${EMAIL_DOMAIN_SUFFIX}`,
  vcse: `vcse.${EMAIL_DOMAIN_SUFFIX}`,
  hospice: `care.${EMAIL_DOMAIN_SUFFIX}`,
};

/** Place names are `pattern` with `{S}` replaced by a stem; distinct within a system. */
export const PLACE_STEMS = [
  'Abbeydale', 'Ashbury', 'Ashton', 'Bankside', 'Barton', 'Beacon', 'Beechwood', 'Birchfield', 'Bradley', 'Bramley',
  'Brookside', 'Burnside', 'Castlegate', 'Cedar Park', 'Chapelfield', 'Church End', 'Clayton', 'Cliftonville', 'Coldharbour', 'Coombe',
  'Crossgates', 'Dale End', 'Eastfield', 'Eastgate', 'Elmwood', 'Fairfield', 'Fernhill', 'Fieldhouse', 'Forest Hill', 'Foxhill',
  'Gorse Hill', 'Greenbank', 'Greenside', 'Hadley', 'Hallfield', 'Harbourside', 'Hartley', 'Hawthorn', 'Heathfield', 'Highfield',
  'Hillside', 'Hollybank', 'Kingsmead', 'Kirkby', 'Langley', 'Lea Valley', 'Lowfield', 'Marshside', 'Meadowbank', 'Middleton',
  'Millbrook', 'Moorside', 'Netherfield', 'Newbold', 'Newton', 'Northgate', 'Norton', 'Oakfield', 'Oakwood', 'Orchard Park',
  'Parkside', 'Priory', 'Queensway', 'Ravenswood', 'Redhill', 'Ridgeway', 'Riverside', 'Rosehill', 'Sandfield', 'Seaton',
  'Shirley', 'Southgate', 'Springfield', 'St Andrews', 'Stanley', 'Stoneleigh', 'Sutton', 'Thornbury', 'Thornhill', 'Townfield',
  'Upton', 'Valley View', 'Walton', 'Warren Park', 'Wellfield', 'Westbury', 'Westfield', 'Weston', 'Westgate', 'Whitehill',
  'Willowbrook', 'Windmill Hill', 'Woodhouse', 'Woodlands', 'Woodside', 'Wyndham', 'Ashfield', 'Broadmead', 'Holme Valley', 'Kingswood',
] as const;
export const PLACE_PATTERNS = ['{S}', '{S} North', '{S} South', '{S} East', '{S} West', '{S} Central', 'Greater {S}', '{S} and District'] as const;

export const STREETS = [
  'Church Street', 'High Street', 'Station Road', 'Park Lane', 'Victoria Road', 'Market Square', 'Mill Lane', 'Kings Road', 'Queens Road', 'Bridge Street',
  'Abbey Road', 'Castle Street', 'The Green', 'Orchard Way', 'Meadow Lane', 'Chapel Street', 'London Road', 'Manor Road', 'School Lane', 'York Road',
] as const;

export const SAINTS = ['Luke', 'Catherine', 'Margaret', 'Michael', 'John', 'Mary', 'Anne', 'Barnabas', 'Christopher', 'Clare', 'Helena', 'Joseph', 'Peter', 'Elizabeth', 'Francis'] as const;

/** Name patterns per organisation type: `{P}` a place name, `{X}` a street, `{N}` a saint, `{F}` a family name, `{Y}` the system's name. */
export const ORGANISATION_NAMES: Readonly<Record<Exclude<OrganisationType, 'icb'>, readonly string[]>> = {
  acute_trust: ['{P} Hospitals NHS Foundation Trust', 'University Hospitals of {P} NHS Trust', '{P} and District General Hospital NHS Trust', '{P} Teaching Hospitals NHS Foundation Trust'],
  mental_health_trust: ['{Y} Partnership NHS Foundation Trust', '{P} Mental Health NHS Foundation Trust', '{Y} Care NHS Trust'],
  community_trust: ['{Y} Community Health Services NHS Trust', '{P} Community Healthcare NHS Trust', '{P} Health and Care NHS Trust'],
  ambulance_trust: ['{Y} Ambulance Service NHS Trust', '{Y} Ambulance Service NHS Foundation Trust'],
  gp_practice: ['{P} Medical Practice', '{X} Surgery', 'The {X} Health Centre', '{P} Family Practice', '{X} Medical Centre', 'Dr {F} and Partners', '{P} Group Practice'],
  primary_care_network: ['{P} Primary Care Network', '{P} Health and Wellbeing PCN', '{P} Rural PCN', '{P} Collaborative PCN'],
  local_authority: ['{P} Council', '{P} Borough Council', '{P} City Council', '{P} County Council', '{P} Metropolitan Borough Council'],
  hospice: ['St {N}’s Hospice', '{P} Hospice', '{P} Community Hospice'],
  vcse: ['{P} Carers Network', '{P} Community Action', '{P} Wellbeing Trust', '{P} Community Voluntary Services', '{P} Food Partnership', '{P} Refugee and Migrant Support'],
  social_care: ['{P} Home Care', '{X} Care Home', '{P} Care Partnership', '{P} Supported Living', '{P} Reablement Services'],
};

/** Staff groups by organisation type. */
export const STAFF_GROUP_BY_ORGANISATION: Readonly<Record<OrganisationType, Weighted<StaffGroup>>> = {
  acute_trust: [
    ['nursing_midwifery_registered', 31], ['additional_clinical_services', 24], ['administrative_clerical', 17], ['medical_dental', 12], ['allied_health_professionals', 6.5],
    ['additional_professional_scientific_technical', 4], ['estates_ancillary', 5], ['healthcare_scientists', 3], ['students', 1], ['other', 0.3],
  ],
  mental_health_trust: [
    ['nursing_midwifery_registered', 30], ['additional_clinical_services', 30], ['administrative_clerical', 19], ['medical_dental', 6], ['allied_health_professionals', 6],
    ['additional_professional_scientific_technical', 6], ['estates_ancillary', 3.5], ['students', 1], ['other', 0.3],
  ],
  community_trust: [
    ['nursing_midwifery_registered', 30], ['additional_clinical_services', 22], ['administrative_clerical', 20], ['allied_health_professionals', 17],
    ['additional_professional_scientific_technical', 5], ['medical_dental', 3], ['estates_ancillary', 4], ['students', 1],
  ],
  ambulance_trust: [['additional_clinical_services', 42], ['allied_health_professionals', 26], ['administrative_clerical', 23], ['estates_ancillary', 5], ['nursing_midwifery_registered', 3], ['students', 1]],
  icb: [['administrative_clerical', 80], ['nursing_midwifery_registered', 7], ['additional_professional_scientific_technical', 6], ['medical_dental', 4], ['allied_health_professionals', 3]],
  gp_practice: [['administrative_clerical', 50], ['medical_dental', 22], ['nursing_midwifery_registered', 14], ['additional_clinical_services', 12], ['additional_professional_scientific_technical', 2]],
  primary_care_network: [
    ['additional_professional_scientific_technical', 35], ['allied_health_professionals', 25], ['additional_clinical_services', 25], ['administrative_clerical', 10], ['nursing_midwifery_registered', 5],
  ],
  local_authority: [['local_government', 55], ['social_care', 45]],
  social_care: [['social_care', 90], ['administrative_clerical', 7], ['nursing_midwifery_registered', 3]],
  vcse: [['voluntary_sector', 85], ['administrative_clerical', 10], ['social_care', 5]],
  hospice: [
    ['nursing_midwifery_registered', 38], ['additional_clinical_services', 25], ['administrative_clerical', 17], ['voluntary_sector', 10], ['medical_dental', 5], ['allied_health_professionals', 5],
  ],
};

/**
 * Grades by staff group, most junior first: a person's grade is read off at their seniority
 * quantile in their organisation, so early positions in an organisation are its senior staff.
 */
export const GRADE_BY_STAFF_GROUP: Readonly<Record<StaffGroup, Weighted<Grade | 'none'>>> = {
  nursing_midwifery_registered: [['band_4', 2], ['band_5', 42], ['band_6', 31], ['band_7', 17], ['band_8a', 5], ['band_8b', 1.6], ['band_8c', 0.8], ['band_8d', 0.4], ['band_9', 0.1], ['vsm', 0.1]],
  additional_clinical_services: [['band_2', 22], ['band_3', 46], ['band_4', 23], ['band_5', 6], ['band_6', 2.5], ['band_7', 0.5]],
  administrative_clerical: [
    ['band_2', 14], ['band_3', 24], ['band_4', 20], ['band_5', 12], ['band_6', 9], ['band_7', 9], ['band_8a', 6], ['band_8b', 3], ['band_8c', 1.5], ['band_8d', 0.8], ['band_9', 0.4], ['vsm', 0.3],
  ],
  allied_health_professionals: [['band_5', 22], ['band_6', 36], ['band_7', 30], ['band_8a', 9], ['band_8b', 2], ['band_8c', 0.8], ['band_8d', 0.2]],
  additional_professional_scientific_technical: [['band_3', 6], ['band_4', 10], ['band_5', 12], ['band_6', 18], ['band_7', 26], ['band_8a', 16], ['band_8b', 7], ['band_8c', 4], ['band_8d', 1]],
  healthcare_scientists: [['band_3', 5], ['band_4', 8], ['band_5', 15], ['band_6', 27], ['band_7', 28], ['band_8a', 11], ['band_8b', 4], ['band_8c', 2]],
  estates_ancillary: [['band_1', 6], ['band_2', 62], ['band_3', 19], ['band_4', 7], ['band_5', 3], ['band_6', 1.5], ['band_7', 1], ['band_8a', 0.5]],
  medical_dental: [['medical_foundation', 14], ['medical_specialty', 46], ['medical_consultant', 39.5], ['vsm', 0.5]],
  students: [['none', 100]],
  social_care: [['non_afc', 88], ['none', 12]],
  local_government: [['non_afc', 90], ['none', 10]],
  voluntary_sector: [['non_afc', 80], ['none', 20]],
  other: [['non_afc', 60], ['none', 40]],
};
/** Doctors in general practice: GP registrars, then GPs. */
export const GP_PRACTICE_MEDICAL_GRADES: Weighted<Grade> = [['medical_specialty', 15], ['gp', 85]];
/** Share of non-medical general practice staff on local (non-Agenda for Change) terms. */
export const GP_PRACTICE_NON_AFC_SHARE = 0.4;

/**
 * Leadership level of a grade: 1 foundations … 5 executive. It decides which programmes a person
 * is drawn into, so every drawn person meets the programme's minimum grade.
 */
export const LEVEL_OF_GRADE: Readonly<Record<Grade, number>> = {
  band_1: 1, band_2: 1, band_3: 1,
  band_4: 2, band_5: 2, medical_foundation: 2,
  band_6: 3, band_7: 3, medical_specialty: 3,
  band_8a: 4, band_8b: 4, medical_consultant: 4, gp: 4,
  band_8c: 5, band_8d: 5, band_9: 5, vsm: 5,
  non_afc: 0, // by seniority quantile, see NON_AFC_LEVEL_QUANTILES
};
/** Upper seniority quantiles of levels 1–4 for people without an AfC band (level 5 above the last). */
export const NON_AFC_LEVEL_QUANTILES = [0.45, 0.75, 0.92, 0.985] as const;

/** Job titles by staff group and level (1–5). */
export const JOB_TITLES: Readonly<Record<StaffGroup, readonly (readonly string[])[]>> = {
  nursing_midwifery_registered: [
    ['Nursing Associate'],
    ['Staff Nurse', 'Staff Nurse', 'Registered Midwife', 'Community Staff Nurse', 'Nursing Associate'],
    ['Senior Staff Nurse', 'Ward Sister', 'Charge Nurse', 'Clinical Nurse Specialist', 'District Nurse', 'Team Leader'],
    ['Matron', 'Advanced Nurse Practitioner', 'Head of Midwifery', 'Lead Nurse'],
    ['Deputy Chief Nurse', 'Director of Nursing', 'Chief Nurse', 'Director of Nursing and Quality'],
  ],
  additional_clinical_services: [
    ['Healthcare Assistant', 'Healthcare Support Worker', 'Maternity Support Worker', 'Therapy Assistant', 'Phlebotomist'],
    ['Senior Healthcare Assistant', 'Assistant Practitioner', 'Emergency Care Assistant', 'Support Time Recovery Worker', 'Care Coordinator'],
    ['Associate Practitioner', 'Ambulance Technician Team Leader', 'Social Prescribing Lead'],
    ['Service Manager'],
    ['Head of Service'],
  ],
  administrative_clerical: [
    ['Receptionist', 'Administrator', 'Medical Secretary', 'Ward Clerk', 'Call Handler'],
    ['Senior Administrator', 'Team Secretary', 'Finance Officer', 'HR Advisor', 'Data Analyst', 'Practice Administrator'],
    ['Team Leader', 'Project Manager', 'Service Manager', 'HR Business Partner', 'Senior Analyst', 'Practice Manager'],
    ['Head of Operations', 'Programme Manager', 'Head of Finance', 'Head of People', 'Associate Director of Transformation'],
    ['Director of Operations', 'Chief Finance Officer', 'Director of People', 'Chief Executive', 'Director of Strategy'],
  ],
  allied_health_professionals: [
    ['Therapy Support Worker'],
    ['Physiotherapist', 'Occupational Therapist', 'Radiographer', 'Paramedic', 'Speech and Language Therapist', 'Dietitian', 'Podiatrist'],
    ['Senior Physiotherapist', 'Specialist Occupational Therapist', 'Specialist Paramedic', 'Senior Radiographer', 'Team Lead Therapist'],
    ['Consultant Therapist', 'Head of Therapies', 'First Contact Practitioner Lead', 'AHP Lead'],
    ['Chief Allied Health Professional', 'Director of Therapies'],
  ],
  additional_professional_scientific_technical: [
    ['Pharmacy Assistant'],
    ['Pharmacy Technician', 'Assistant Psychologist'],
    ['Clinical Pharmacist', 'Clinical Psychologist', 'Counsellor', 'Psychological Wellbeing Practitioner'],
    ['Lead Pharmacist', 'Consultant Clinical Psychologist', 'Principal Psychologist'],
    ['Chief Pharmacist', 'Director of Psychological Services'],
  ],
  healthcare_scientists: [
    ['Laboratory Assistant'],
    ['Biomedical Scientist', 'Clinical Physiologist'],
    ['Specialist Biomedical Scientist', 'Clinical Scientist'],
    ['Principal Clinical Scientist', 'Laboratory Manager'],
    ['Consultant Clinical Scientist', 'Head of Pathology'],
  ],
  estates_ancillary: [
    ['Domestic Assistant', 'Porter', 'Catering Assistant', 'Housekeeper'],
    ['Maintenance Technician', 'Electrician', 'Supervisor'],
    ['Estates Officer', 'Facilities Manager'],
    ['Head of Estates'],
    ['Director of Estates and Facilities'],
  ],
  medical_dental: [
    ['Foundation Doctor'],
    ['Foundation Doctor'],
    ['Specialty Registrar', 'Specialty Doctor', 'Clinical Fellow'],
    ['Consultant Physician', 'Consultant Surgeon', 'Consultant Psychiatrist', 'Consultant Anaesthetist', 'Consultant Paediatrician', 'Consultant in Emergency Medicine'],
    ['Medical Director', 'Clinical Director', 'Chief Medical Officer'],
  ],
  students: [['Student Nurse', 'Student Midwife', 'Student Paramedic', 'Medical Student', 'Healthcare Apprentice']],
  social_care: [
    ['Care Worker', 'Support Worker', 'Home Carer'],
    ['Senior Care Worker', 'Social Worker', 'Care Coordinator'],
    ['Senior Social Worker', 'Registered Manager', 'Deputy Manager'],
    ['Team Manager', 'Head of Adult Social Care Services'],
    ['Director of Adult Social Services', 'Assistant Director of Adult Social Care'],
  ],
  local_government: [
    ['Customer Services Officer', 'Administrator'],
    ['Commissioning Officer', 'Public Health Officer'],
    ['Commissioning Manager', 'Public Health Specialist', 'Policy Officer'],
    ['Head of Commissioning', 'Consultant in Public Health'],
    ['Director of Public Health', 'Corporate Director of Adult Services'],
  ],
  voluntary_sector: [
    ['Volunteer Coordinator', 'Support Worker'],
    ['Project Worker', 'Community Development Worker'],
    ['Project Manager', 'Services Manager'],
    ['Head of Services'],
    ['Chief Executive', 'Director'],
  ],
  other: [['Officer'], ['Officer'], ['Manager'], ['Senior Manager'], ['Director']],
};
export const GP_TITLES = ['GP Partner', 'Salaried GP', 'GP Partner'] as const;

/** Professions by staff group; `byOrganisation` replaces the list in particular organisation types. */
export const PROFESSIONS: Readonly<Record<StaffGroup, { all: Weighted; byOrganisation?: Partial<Record<OrganisationType, Weighted>> }>> = {
  nursing_midwifery_registered: {
    all: [['Adult nursing', 60], ['Mental health nursing', 8], ['Children’s nursing', 10], ['Midwifery', 14], ['Learning disability nursing', 2], ['Critical care nursing', 6]],
    byOrganisation: {
      mental_health_trust: [['Mental health nursing', 85], ['Learning disability nursing', 10], ['Adult nursing', 5]],
      gp_practice: [['Practice nursing', 90], ['Adult nursing', 10]],
      community_trust: [['District nursing', 40], ['Health visiting', 25], ['Adult nursing', 25], ['Children’s nursing', 10]],
      icb: [['Adult nursing', 60], ['Mental health nursing', 20], ['Children’s nursing', 10], ['Midwifery', 10]],
      primary_care_network: [['Practice nursing', 70], ['District nursing', 30]],
      social_care: [['Adult nursing', 80], ['Learning disability nursing', 20]],
      hospice: [['Adult nursing', 70], ['Palliative care nursing', 30]],
    },
  },
  additional_clinical_services: {
    all: [['Healthcare support', 55], ['Maternity support', 8], ['Therapy support', 10], ['Mental health support', 12], ['Phlebotomy', 5], ['Social prescribing', 5], ['Ambulance support', 5]],
    byOrganisation: { ambulance_trust: [['Ambulance support', 100]], primary_care_network: [['Social prescribing', 40], ['Care coordination', 40], ['Health and wellbeing coaching', 20]] },
  },
  administrative_clerical: {
    all: [
      ['Administration', 40], ['Finance', 10], ['Human resources', 8], ['Information and analytics', 7], ['Management', 15], ['Organisational development', 3],
      ['Digital and IT', 8], ['Procurement', 3], ['Communications', 3], ['Estates and facilities management', 3],
    ],
  },
  allied_health_professionals: {
    all: [['Physiotherapy', 30], ['Occupational therapy', 22], ['Diagnostic radiography', 15], ['Paramedic', 10], ['Speech and language therapy', 7], ['Dietetics', 6], ['Podiatry', 5], ['Orthoptics', 2], ['Arts therapies', 2], ['Therapeutic radiography', 1]],
    byOrganisation: { ambulance_trust: [['Paramedic', 100]], primary_care_network: [['Physiotherapy', 50], ['Paramedic', 30], ['Dietetics', 10], ['Occupational therapy', 10]] },
  },
  additional_professional_scientific_technical: {
    all: [['Pharmacy', 50], ['Psychology', 25], ['Psychological therapies', 15], ['Health promotion', 5], ['Operating department practice', 5]],
    byOrganisation: { mental_health_trust: [['Psychology', 45], ['Psychological therapies', 40], ['Pharmacy', 15]], primary_care_network: [['Pharmacy', 100]] },
  },
  healthcare_scientists: { all: [['Biomedical science', 45], ['Clinical physiology', 25], ['Medical physics', 15], ['Genomics', 8], ['Clinical engineering', 7]] },
  estates_ancillary: { all: [['Domestic services', 35], ['Portering', 15], ['Catering', 20], ['Estates maintenance', 20], ['Security', 10]] },
  medical_dental: {
    all: [
      ['General medicine', 20], ['Surgery', 18], ['Anaesthetics', 10], ['Psychiatry', 6], ['Paediatrics', 7], ['Obstetrics and gynaecology', 6], ['Emergency medicine', 8],
      ['Clinical radiology', 6], ['Pathology', 4], ['Oncology', 5], ['Cardiology', 6], ['Dentistry', 4],
    ],
    byOrganisation: { mental_health_trust: [['Psychiatry', 100]], gp_practice: [['General practice', 100]], hospice: [['Palliative medicine', 100]], icb: [['Public health medicine', 50], ['General practice', 50]] },
  },
  students: { all: [['Nursing (student)', 50], ['Midwifery (student)', 15], ['Medicine (student)', 20], ['Paramedic science (student)', 15]] },
  social_care: { all: [['Social work', 30], ['Domiciliary care', 35], ['Residential care', 30], ['Occupational therapy', 5]] },
  local_government: { all: [['Public health', 35], ['Commissioning', 35], ['Housing', 15], ['Policy', 15]] },
  voluntary_sector: { all: [['Community development', 35], ['Advice and advocacy', 25], ['Volunteering', 20], ['Carer support', 20]] },
  other: { all: [['Other', 100]] },
};

/** NHS ethnic categories: about 70 % White, 13 % Asian, 7 % Black, 3 % Mixed, 3 % other, 4 % not stated. */
export const ETHNICITY: Weighted = [
  ['A', 60], ['B', 2], ['C', 8],
  ['D', 0.8], ['E', 0.6], ['F', 0.8], ['G', 0.8],
  ['H', 7], ['J', 2.5], ['K', 1], ['L', 2.5],
  ['M', 1.5], ['N', 5], ['P', 0.5],
  ['R', 0.7], ['S', 2.3],
  ['Z', 3], ['prefer_not_to_say', 1],
];
/** Name pools: 0 British and Irish, 1 other European, 2 South Asian, 3 other Asian, 4 African, 5 Chinese, 6 other. */
export const NAME_GROUP_OF_ETHNICITY: Readonly<Record<string, number>> = {
  A: 0, B: 0, C: 1, D: 0, E: 0, F: 0, G: 0, H: 2, J: 2, K: 2, L: 3, M: 0, N: 4, P: 0, R: 5, S: 6, Z: 0, prefer_not_to_say: 0,
};
export const FEMALE_SHARE = 0.77;
export const SEX_NOT_STATED_SHARE = 0.01;
export const EQUALITY_RESPONSE_RATE = 0.7;
export const DISABILITY: Weighted = [['yes', 5], ['no', 88], ['prefer_not_to_say', 7]];
export const SEXUAL_ORIENTATION: Weighted = [['heterosexual', 87], ['gay_or_lesbian', 2.5], ['bisexual', 1.5], ['other', 0.5], ['prefer_not_to_say', 8.5]];
/** Religion by name pool (same order as the name pools). */
export const RELIGION_BY_NAME_GROUP: readonly Weighted[] = [
  [['christian', 50], ['no_religion', 37], ['jewish', 1], ['buddhist', 0.5], ['muslim', 0.5], ['other', 2], ['prefer_not_to_say', 9]],
  [['christian', 65], ['no_religion', 25], ['other', 2], ['prefer_not_to_say', 8]],
  [['muslim', 45], ['hindu', 30], ['sikh', 12], ['christian', 4], ['no_religion', 3], ['prefer_not_to_say', 6]],
  [['christian', 80], ['buddhist', 6], ['hindu', 4], ['no_religion', 3], ['prefer_not_to_say', 7]],
  [['christian', 80], ['muslim', 10], ['no_religion', 3], ['prefer_not_to_say', 7]],
  [['no_religion', 55], ['christian', 20], ['buddhist', 15], ['prefer_not_to_say', 10]],
  [['muslim', 70], ['christian', 10], ['no_religion', 8], ['prefer_not_to_say', 12]],
];
/** Age bands by leadership level 1–5. */
export const AGE_BAND_BY_LEVEL: readonly Weighted[] = [
  [['under_25', 20], ['25_34', 28], ['35_44', 20], ['45_54', 17], ['55_64', 12], ['65_plus', 2], ['prefer_not_to_say', 1]],
  [['under_25', 12], ['25_34', 33], ['35_44', 23], ['45_54', 17], ['55_64', 12], ['65_plus', 2], ['prefer_not_to_say', 1]],
  [['under_25', 3], ['25_34', 28], ['35_44', 30], ['45_54', 23], ['55_64', 13], ['65_plus', 2], ['prefer_not_to_say', 1]],
  [['under_25', 0.5], ['25_34', 12], ['35_44', 33], ['45_54', 35], ['55_64', 17], ['65_plus', 1.5], ['prefer_not_to_say', 1]],
  [['25_34', 3], ['35_44', 25], ['45_54', 45], ['55_64', 25], ['65_plus', 1], ['prefer_not_to_say', 1]],
];

/** Given names (female, male) and family names per name pool. */
export const NAMES: readonly { female: readonly string[]; male: readonly string[]; family: readonly string[] }[] = [
  {
    female: [
      'Olivia', 'Emma', 'Sophie', 'Charlotte', 'Emily', 'Jessica', 'Hannah', 'Lucy', 'Rebecca', 'Sarah', 'Laura', 'Claire', 'Helen', 'Rachel', 'Amy', 'Katie', 'Victoria',
      'Joanne', 'Nicola', 'Louise', 'Kirsty', 'Gemma', 'Samantha', 'Lisa', 'Karen', 'Susan', 'Julie', 'Jennifer', 'Elizabeth', 'Alison', 'Catherine', 'Natalie', 'Zoe',
      'Megan', 'Chloe', 'Grace', 'Ellie', 'Amelia', 'Jade', 'Kelly', 'Tracey', 'Donna', 'Michelle', 'Angela', 'Deborah', 'Ruth', 'Fiona', 'Anna', 'Holly', 'Abigail',
      'Siobhan', 'Niamh', 'Aoife', 'Bethan', 'Rhiannon', 'Caitlin',
    ],
    male: [
      'James', 'Oliver', 'Thomas', 'Daniel', 'Matthew', 'Christopher', 'David', 'Michael', 'Andrew', 'Paul', 'Mark', 'Richard', 'Robert', 'John', 'Steven', 'Peter',
      'Simon', 'Stephen', 'Jonathan', 'Benjamin', 'Samuel', 'Joshua', 'Ryan', 'Adam', 'Luke', 'Jack', 'William', 'George', 'Harry', 'Alexander', 'Gareth', 'Neil',
      'Ian', 'Gary', 'Craig', 'Lee', 'Martin', 'Anthony', 'Kevin', 'Stuart', 'Sean', 'Conor', 'Rhys', 'Callum',
    ],
    family: [
      'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White',
      'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris', 'Clarke', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
      'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths',
      'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Marshall', 'Simpson', 'Ellis',
      'Adams', 'O’Brien', 'O’Connor', 'Murray', 'Kennedy', 'Doyle', 'McCarthy', 'Byrne', 'Walsh', 'Campbell', 'Francis', 'Grant', 'Henry', 'Reid', 'Gordon',
    ],
  },
  {
    female: ['Anna', 'Maria', 'Katarzyna', 'Agnieszka', 'Joanna', 'Magdalena', 'Ioana', 'Elena', 'Andreea', 'Ana', 'Sofia', 'Giulia', 'Francesca', 'Carmen', 'Lucia', 'Marta', 'Eva', 'Ines', 'Monika', 'Beatriz'],
    male: ['Piotr', 'Tomasz', 'Krzysztof', 'Marcin', 'Andrei', 'Alexandru', 'Mihai', 'Marco', 'Luca', 'Giuseppe', 'Jose', 'Pedro', 'Miguel', 'Carlos', 'Joao', 'Stefan', 'Nikolaos', 'Lukas'],
    family: [
      'Kowalski', 'Nowak', 'Wisniewski', 'Wojcik', 'Kaminski', 'Lewandowski', 'Popescu', 'Ionescu', 'Popa', 'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Garcia', 'Fernandez',
      'Rodriguez', 'Martinez', 'Silva', 'Santos', 'Ferreira', 'Pereira', 'Costa', 'Papadopoulos', 'Novak', 'Horvat', 'Muller', 'Schmidt', 'Nagy',
    ],
  },
  {
    female: [
      'Priya', 'Anjali', 'Pooja', 'Sunita', 'Neha', 'Aisha', 'Fatima', 'Ayesha', 'Zainab', 'Sana', 'Nadia', 'Farah', 'Rukhsana', 'Shabana', 'Nazia', 'Amrita', 'Harpreet',
      'Simran', 'Jaspreet', 'Meera', 'Kavita', 'Deepa', 'Rani', 'Saima', 'Shazia', 'Nusrat', 'Taslima',
    ],
    male: [
      'Rahul', 'Amit', 'Sanjay', 'Vikram', 'Arjun', 'Raj', 'Mohammed', 'Ahmed', 'Ali', 'Hassan', 'Imran', 'Usman', 'Bilal', 'Zubair', 'Tariq', 'Asif', 'Kamran', 'Harjit',
      'Gurpreet', 'Manjit', 'Arun', 'Anil', 'Rohan', 'Sunil', 'Abdul', 'Rafiq', 'Shahid',
    ],
    family: [
      'Patel', 'Shah', 'Sharma', 'Singh', 'Kaur', 'Gupta', 'Kumar', 'Mistry', 'Desai', 'Mehta', 'Joshi', 'Khan', 'Ahmed', 'Hussain', 'Ali', 'Iqbal', 'Akhtar', 'Rashid',
      'Mahmood', 'Butt', 'Begum', 'Islam', 'Rahman', 'Uddin', 'Chowdhury', 'Miah', 'Sandhu', 'Gill', 'Dhillon', 'Bains', 'Nair', 'Menon', 'Reddy', 'Rao',
    ],
  },
  {
    female: ['Maria', 'Joy', 'Angelica', 'Kristine', 'Jasmine', 'Rowena', 'Marites', 'Princess', 'Cherry', 'Sheila', 'Tharshini', 'Nirosha', 'Lalaine', 'Rosario', 'Mylene'],
    male: ['Jose', 'Mark', 'Ramon', 'Rodel', 'Jerome', 'Arnel', 'Christian', 'Rajan', 'Suresh', 'Ariel', 'Romeo', 'Nimal', 'Bishnu'],
    family: ['Santos', 'Reyes', 'Cruz', 'Bautista', 'Garcia', 'Mendoza', 'Dela Cruz', 'Villanueva', 'Ramos', 'Aquino', 'Fernando', 'Perera', 'Jayasinghe', 'Gurung', 'Thapa', 'Rai', 'Tamang', 'Castillo'],
  },
  {
    female: ['Grace', 'Blessing', 'Chioma', 'Ngozi', 'Adaeze', 'Funmilayo', 'Folake', 'Abena', 'Ama', 'Akosua', 'Esther', 'Faith', 'Precious', 'Tendai', 'Rutendo', 'Nomvula', 'Amara', 'Chiamaka', 'Yetunde', 'Mercy'],
    male: ['Emmanuel', 'Oluwaseun', 'Chinedu', 'Obinna', 'Tunde', 'Kwame', 'Kofi', 'Kwabena', 'Samuel', 'Joseph', 'Tatenda', 'Tinashe', 'Ifeanyi', 'Chukwuemeka', 'Femi', 'Segun', 'Daniel', 'Michael'],
    family: [
      'Okafor', 'Okoye', 'Adeyemi', 'Adebayo', 'Okonkwo', 'Eze', 'Nwosu', 'Ogunleye', 'Oyelaran', 'Mensah', 'Asante', 'Boateng', 'Owusu', 'Appiah', 'Moyo', 'Ncube', 'Dube',
      'Mutasa', 'Abubakar', 'Ibrahim', 'Bello', 'Balogun', 'Afolabi', 'Osei', 'Chikwanha',
    ],
  },
  {
    female: ['Mei', 'Li', 'Ying', 'Xiaoling', 'Hui', 'Jing', 'Yan', 'Lin', 'Fang', 'Wing', 'Man Yee', 'Siu'],
    male: ['Wei', 'Jun', 'Hao', 'Ming', 'Lei', 'Jian', 'Kai', 'Chi Keung', 'Ho', 'Yong'],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Chan', 'Wong', 'Cheung', 'Lam', 'Leung', 'Ng'],
  },
  {
    female: ['Layla', 'Mariam', 'Noor', 'Yasmin', 'Leila', 'Reem', 'Hana', 'Dina', 'Elif', 'Zeynep', 'Shirin', 'Parisa', 'Sara', 'Amina'],
    male: ['Omar', 'Youssef', 'Karim', 'Tarek', 'Samir', 'Mehmet', 'Emre', 'Reza', 'Amir', 'Dariush', 'Khalid', 'Nabil', 'Hamza'],
    family: ['Hassan', 'Mansour', 'Haddad', 'Khalil', 'Nasser', 'Saleh', 'Yilmaz', 'Demir', 'Kaya', 'Hosseini', 'Ahmadi', 'Karimi', 'Rahimi', 'Abdullah', 'Mahmoud', 'Aziz'],
  },
];

/** Leadership level (1–5) of each programme level: which people a programme draws from. */
export const POOL_LEVEL: Readonly<Record<LeadershipLevel, number>> = { foundations: 1, first_line: 2, mid_level: 3, senior: 4, executive: 5, system: 4 };
export const MIN_GRADE: Readonly<Record<LeadershipLevel, Grade | null>> = { foundations: null, first_line: 'band_4', mid_level: 'band_6', senior: 'band_8a', executive: 'band_8c', system: 'band_8a' };
export const COHORT_CAPACITY: Readonly<Record<LeadershipLevel, readonly [number, number]>> = {
  foundations: [18, 40],
  first_line: [16, 36],
  mid_level: [15, 32],
  senior: [12, 28],
  executive: [10, 18],
  system: [12, 28],
};
export const FUNDING_PENCE: Readonly<Record<LeadershipLevel, readonly [number, number]>> = {
  foundations: [1_000_000, 6_000_000],
  first_line: [2_000_000, 10_000_000],
  mid_level: [4_000_000, 20_000_000],
  senior: [8_000_000, 40_000_000],
  executive: [15_000_000, 60_000_000],
  system: [10_000_000, 50_000_000],
};

/** National programmes (no system). Names follow the NHS Leadership Academy's well-known programmes. */
export const NATIONAL_PROGRAMMES: readonly { title: string; level: LeadershipLevel; description: string }[] = [
  { title: 'Edward Jenner Programme', level: 'foundations', description: 'Online foundations of leadership for anyone in health and care.' },
  { title: 'Mary Seacole Programme', level: 'first_line', description: 'For first-time leaders of teams and services.' },
  { title: 'Rosalind Franklin Programme', level: 'mid_level', description: 'For mid-level leaders who want to lead large and complex services.' },
  { title: 'Elizabeth Garrett Anderson Programme', level: 'senior', description: 'For senior leaders aspiring to lead departments and organisations.' },
  { title: 'Nye Bevan Programme', level: 'executive', description: 'For executives preparing for board roles.' },
  { title: 'Ready Now Programme', level: 'senior', description: 'For senior leaders from ethnic minority backgrounds preparing for executive roles.' },
  { title: 'Stepping Up Programme', level: 'mid_level', description: 'For leaders from ethnic minority backgrounds stepping up to senior roles.' },
  { title: 'Aspiring Chief Executive Programme', level: 'executive', description: 'For executive directors preparing to become chief executives.' },
  { title: 'NExT Director Scheme', level: 'executive', description: 'For senior leaders preparing for non-executive and executive director roles.' },
  { title: 'System Leadership Development Programme', level: 'system', description: 'For senior leaders who lead change across organisational boundaries in their Integrated Care System.' },
  { title: 'Leading Integrated Care Systems', level: 'system', description: 'For senior leaders building partnerships across an ICS.' },
  { title: 'Primary Care Leadership Programme', level: 'mid_level', description: 'For leaders in general practice and primary care networks.' },
  { title: 'Social Care Leaders Programme', level: 'first_line', description: 'For registered managers and team leaders in adult social care.' },
  { title: 'Compassionate and Inclusive Leadership', level: 'foundations', description: 'Short course on compassionate, inclusive team leadership.' },
];
export const NATIONAL_PROGRAMME_STREAMS = ['Clinical stream', 'Primary care stream', 'Social care stream', 'Digital stream', 'Northern cohort series', 'Southern cohort series'] as const;

/** Programmes that systems run themselves; `{Y}` is the system's name. */
export const SYSTEM_PROGRAMMES: readonly { title: string; level: LeadershipLevel; description: string }[] = [
  { title: '{Y} Aspiring Leaders', level: 'first_line', description: 'For staff across {Y} taking their first leadership steps.' },
  { title: 'Leading Integrated Neighbourhood Teams', level: 'mid_level', description: 'Clinicians, social workers and managers building neighbourhood health teams together across {Y}.' },
  { title: 'Compassionate Leadership Essentials', level: 'foundations', description: 'Compassionate leadership behaviours for every team in {Y}.' },
  { title: 'First-Line Leaders Programme', level: 'first_line', description: 'Practical leadership for new team leaders and supervisors in {Y}.' },
  { title: 'Clinical Leadership for Place', level: 'senior', description: 'For clinicians taking on Place leadership roles in {Y}.' },
  { title: 'Inclusive Leadership', level: 'mid_level', description: 'Leading inclusively and tackling inequality in {Y}.' },
  { title: 'Reciprocal Mentoring for Inclusion', level: 'senior', description: 'Senior leaders and staff from under-represented groups mentoring each other in {Y}.' },
  { title: 'Quality Improvement Leaders', level: 'mid_level', description: 'Leading improvement with QI methods across {Y}.' },
  { title: 'Aspiring Directors Development', level: 'executive', description: 'For senior leaders in {Y} preparing for director roles.' },
  { title: 'Senior Leaders in Primary Care', level: 'senior', description: 'For GP partners, practice managers and PCN leads in {Y}.' },
  { title: 'Leading Across Health and Social Care', level: 'system', description: 'For leaders working across NHS, council and voluntary partners in {Y}.' },
  { title: 'Population Health Leadership', level: 'system', description: 'Using population health data to lead change in {Y}.' },
  { title: 'Stepping Into Management', level: 'foundations', description: 'For staff considering a first management role in {Y}.' },
  { title: 'Digital Leadership', level: 'mid_level', description: 'Leading digital change in services across {Y}.' },
  { title: 'Coaching for Team Leaders', level: 'first_line', description: 'Coaching skills for team leaders in {Y}.' },
];

export const TALENT_POOLS: readonly { name: string; level: number; purpose: string }[] = [
  { name: 'Aspiring directors', level: 4, purpose: 'Senior leaders from any organisation in the system preparing for director roles.' },
  { name: 'Ready now: executive leaders', level: 5, purpose: 'Executives ready for chief officer roles in the system.' },
  { name: 'Clinical leaders for neighbourhood health', level: 3, purpose: 'Clinicians and social care professionals ready to lead integrated neighbourhood teams.' },
  { name: 'Emerging leaders', level: 2, purpose: 'Staff early in their careers with leadership potential.' },
  { name: 'Future Place leaders', level: 4, purpose: 'Leaders preparing for Place director and partnership roles.' },
  { name: 'Inclusive senior leadership pipeline', level: 4, purpose: 'Growing senior leaders who reflect the communities the system serves.' },
  { name: 'Aspiring ward and team leaders', level: 2, purpose: 'Staff preparing for their first ward or team leadership role.' },
  { name: 'Primary care leaders of tomorrow', level: 3, purpose: 'Practice and PCN staff preparing to lead in primary care.' },
];

export const NOMINATION_RATIONALES = [
  'Consistently leads improvement in their team and is ready for a wider role.',
  'Strong clinical leader who has stepped up during winter pressures.',
  'Builds partnerships across organisations; a natural system leader.',
  'Has led a successful quality improvement project with measurable results.',
  'Respected by colleagues; shows compassionate, inclusive leadership.',
  'Ready for more responsibility; needs structured development to get there.',
  'Acting up into a senior role and would benefit from the programme.',
  'Champions staff wellbeing and has improved retention in their service.',
] as const;
export const REJECTION_REASONS = [
  'The programme is full for this intake; please nominate again next year.',
  'The nominee does not yet meet the programme criteria.',
  'Another development route suits the nominee better.',
  'Line manager support for protected time was not confirmed.',
] as const;
export const ENROLMENT_REJECTION_REASONS = [
  'Does not meet the programme criteria.',
  'Please apply for the next cohort.',
  'Line manager support not confirmed.',
  'This cohort is for staff in a Place leadership role.',
] as const;

/** Posts people are appointed to, by the level they were at (1–5). */
export const APPOINTMENT_POSTS: readonly (readonly string[])[] = [
  ['Team Leader', 'Senior Healthcare Assistant', 'Supervisor'],
  ['Ward Manager', 'Team Manager', 'Practice Manager', 'Deputy Service Manager'],
  ['Matron', 'Service Manager', 'Clinical Lead', 'Head of Service'],
  ['Associate Director', 'Deputy Director', 'Place Director', 'Clinical Director', 'Divisional Director'],
  ['Director of Nursing', 'Chief Operating Officer', 'Chief Executive', 'Director of Strategy and Partnerships', 'Medical Director'],
];
