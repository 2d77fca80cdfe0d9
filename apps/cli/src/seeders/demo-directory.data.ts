import type { OrganisationType } from '@slp/directory';

/** NHS England's seven regions with their ODS codes. */
export const REGIONS = [
  { code: 'Y63', name: 'North East and Yorkshire' },
  { code: 'Y62', name: 'North West' },
  { code: 'Y60', name: 'Midlands' },
  { code: 'Y61', name: 'East of England' },
  { code: 'Y56', name: 'London' },
  { code: 'Y59', name: 'South East' },
  { code: 'Y58', name: 'South West' },
] as const;

/**
 * The 42 Integrated Care Systems, by ICB ODS code and region. Populations are rounded
 * registered-population estimates, for demonstration only.
 */
export const SYSTEMS: readonly { odsCode: string; name: string; region: string; population: number }[] = [
  { odsCode: 'QHM', name: 'North East and North Cumbria', region: 'Y63', population: 3_100_000 },
  { odsCode: 'QOQ', name: 'Humber and North Yorkshire', region: 'Y63', population: 1_700_000 },
  { odsCode: 'QF7', name: 'South Yorkshire', region: 'Y63', population: 1_400_000 },
  { odsCode: 'QWO', name: 'West Yorkshire', region: 'Y63', population: 2_400_000 },
  { odsCode: 'QYG', name: 'Cheshire and Merseyside', region: 'Y62', population: 2_700_000 },
  { odsCode: 'QOP', name: 'Greater Manchester', region: 'Y62', population: 3_000_000 },
  { odsCode: 'QE1', name: 'Lancashire and South Cumbria', region: 'Y62', population: 1_800_000 },
  { odsCode: 'QHL', name: 'Birmingham and Solihull', region: 'Y60', population: 1_300_000 },
  { odsCode: 'QUA', name: 'Black Country', region: 'Y60', population: 1_300_000 },
  { odsCode: 'QWU', name: 'Coventry and Warwickshire', region: 'Y60', population: 1_000_000 },
  { odsCode: 'QJ2', name: 'Derby and Derbyshire', region: 'Y60', population: 1_100_000 },
  { odsCode: 'QGH', name: 'Herefordshire and Worcestershire', region: 'Y60', population: 800_000 },
  { odsCode: 'QK1', name: 'Leicester, Leicestershire and Rutland', region: 'Y60', population: 1_100_000 },
  { odsCode: 'QJM', name: 'Lincolnshire', region: 'Y60', population: 800_000 },
  { odsCode: 'QPM', name: 'Northamptonshire', region: 'Y60', population: 800_000 },
  { odsCode: 'QT1', name: 'Nottingham and Nottinghamshire', region: 'Y60', population: 1_100_000 },
  { odsCode: 'QOC', name: 'Shropshire, Telford and Wrekin', region: 'Y60', population: 500_000 },
  { odsCode: 'QNC', name: 'Staffordshire and Stoke-on-Trent', region: 'Y60', population: 1_100_000 },
  { odsCode: 'QHG', name: 'Bedfordshire, Luton and Milton Keynes', region: 'Y61', population: 1_000_000 },
  { odsCode: 'QUE', name: 'Cambridgeshire and Peterborough', region: 'Y61', population: 900_000 },
  { odsCode: 'QM7', name: 'Hertfordshire and West Essex', region: 'Y61', population: 1_600_000 },
  { odsCode: 'QH8', name: 'Mid and South Essex', region: 'Y61', population: 1_200_000 },
  { odsCode: 'QMM', name: 'Norfolk and Waveney', region: 'Y61', population: 1_100_000 },
  { odsCode: 'QJG', name: 'Suffolk and North East Essex', region: 'Y61', population: 1_000_000 },
  { odsCode: 'QMJ', name: 'North Central London', region: 'Y56', population: 1_500_000 },
  { odsCode: 'QMF', name: 'North East London', region: 'Y56', population: 2_000_000 },
  { odsCode: 'QRV', name: 'North West London', region: 'Y56', population: 2_100_000 },
  { odsCode: 'QKK', name: 'South East London', region: 'Y56', population: 1_900_000 },
  { odsCode: 'QWE', name: 'South West London', region: 'Y56', population: 1_500_000 },
  { odsCode: 'QU9', name: 'Buckinghamshire, Oxfordshire and Berkshire West', region: 'Y59', population: 1_800_000 },
  { odsCode: 'QNQ', name: 'Frimley', region: 'Y59', population: 800_000 },
  { odsCode: 'QRL', name: 'Hampshire and Isle of Wight', region: 'Y59', population: 1_900_000 },
  { odsCode: 'QKS', name: 'Kent and Medway', region: 'Y59', population: 1_900_000 },
  { odsCode: 'QXU', name: 'Surrey Heartlands', region: 'Y59', population: 1_100_000 },
  { odsCode: 'QNX', name: 'Sussex', region: 'Y59', population: 1_700_000 },
  { odsCode: 'QOX', name: 'Bath and North East Somerset, Swindon and Wiltshire', region: 'Y58', population: 1_000_000 },
  { odsCode: 'QUY', name: 'Bristol, North Somerset and South Gloucestershire', region: 'Y58', population: 1_000_000 },
  { odsCode: 'QT6', name: 'Cornwall and the Isles of Scilly', region: 'Y58', population: 600_000 },
  { odsCode: 'QJK', name: 'Devon', region: 'Y58', population: 1_200_000 },
  { odsCode: 'QVV', name: 'Dorset', region: 'Y58', population: 800_000 },
  { odsCode: 'QR1', name: 'Gloucestershire', region: 'Y58', population: 700_000 },
  { odsCode: 'QSL', name: 'Somerset', region: 'Y58', population: 600_000 },
];

export interface DemoPlace {
  readonly name: string;
  readonly wave: number | null;
  readonly maturityLevel: number;
}

export interface DemoOrganisation {
  readonly odsCode: string;
  readonly name: string;
  readonly type: OrganisationType;
  readonly place?: string;
}

/**
 * Places and organisations for five systems. Trusts, councils and ICBs are real; GP practices are
 * fictional (codes in the DEMO range) so no real practice is misrepresented.
 */
export const SYSTEM_DETAIL: Readonly<Record<string, { places: DemoPlace[]; organisations: DemoOrganisation[] }>> = {
  QE1: {
    places: [
      { name: 'Blackburn with Darwen', wave: 1, maturityLevel: 3 },
      { name: 'Blackpool', wave: 1, maturityLevel: 2 },
      { name: 'Lancashire', wave: null, maturityLevel: 2 },
      { name: 'South Cumbria', wave: 2, maturityLevel: 2 },
    ],
    organisations: [
      { odsCode: 'QE1', name: 'NHS Lancashire and South Cumbria Integrated Care Board', type: 'icb' },
      { odsCode: 'RXN', name: 'Lancashire Teaching Hospitals NHS Foundation Trust', type: 'acute_trust', place: 'Lancashire' },
      { odsCode: 'RXL', name: 'Blackpool Teaching Hospitals NHS Foundation Trust', type: 'acute_trust', place: 'Blackpool' },
      { odsCode: 'RTX', name: 'University Hospitals of Morecambe Bay NHS Foundation Trust', type: 'acute_trust', place: 'South Cumbria' },
      { odsCode: 'RW5', name: 'Lancashire and South Cumbria NHS Foundation Trust', type: 'mental_health_trust' },
      { odsCode: 'E06000008', name: 'Blackburn with Darwen Borough Council', type: 'local_authority', place: 'Blackburn with Darwen' },
      { odsCode: 'DEMO01', name: 'Darwen Riverside Medical Practice (demo)', type: 'gp_practice', place: 'Blackburn with Darwen' },
      { odsCode: 'DEMO02', name: 'Fylde Coast Family Practice (demo)', type: 'gp_practice', place: 'Blackpool' },
      { odsCode: 'DEMOH1', name: 'Bay Community Hospice (demo)', type: 'hospice', place: 'South Cumbria' },
    ],
  },
  QNQ: {
    places: [
      { name: 'North East Hampshire and Farnham', wave: 1, maturityLevel: 3 },
      { name: 'Surrey Heath', wave: null, maturityLevel: 3 },
      { name: 'East Berkshire', wave: 2, maturityLevel: 2 },
    ],
    organisations: [
      { odsCode: 'QNQ', name: 'NHS Frimley Integrated Care Board', type: 'icb' },
      { odsCode: 'RDU', name: 'Frimley Health NHS Foundation Trust', type: 'acute_trust' },
      { odsCode: 'E06000036', name: 'Bracknell Forest Council', type: 'local_authority', place: 'East Berkshire' },
      { odsCode: 'DEMO03', name: 'Heathside Surgery (demo)', type: 'gp_practice', place: 'Surrey Heath' },
      { odsCode: 'DEMOH2', name: 'Blackwater Valley Hospice (demo)', type: 'hospice', place: 'North East Hampshire and Farnham' },
    ],
  },
  QXU: {
    places: [
      { name: 'Guildford and Waverley', wave: 1, maturityLevel: 3 },
      { name: 'East Surrey', wave: null, maturityLevel: 2 },
      { name: 'North West Surrey', wave: 2, maturityLevel: 2 },
      { name: 'Surrey Downs', wave: null, maturityLevel: 3 },
    ],
    organisations: [
      { odsCode: 'QXU', name: 'NHS Surrey Heartlands Integrated Care Board', type: 'icb' },
      { odsCode: 'RA2', name: 'Royal Surrey NHS Foundation Trust', type: 'acute_trust', place: 'Guildford and Waverley' },
      { odsCode: 'RTK', name: 'Ashford and St Peter’s Hospitals NHS Foundation Trust', type: 'acute_trust', place: 'North West Surrey' },
      { odsCode: 'RXX', name: 'Surrey and Borders Partnership NHS Foundation Trust', type: 'mental_health_trust' },
      { odsCode: 'E10000030', name: 'Surrey County Council', type: 'local_authority' },
      { odsCode: 'DEMO04', name: 'Wey Valley Health Centre (demo)', type: 'gp_practice', place: 'Guildford and Waverley' },
      { odsCode: 'DEMOV1', name: 'Surrey Carers Network (demo)', type: 'vcse' },
    ],
  },
  QOP: {
    places: [
      { name: 'Manchester', wave: 1, maturityLevel: 3 },
      { name: 'Salford', wave: 1, maturityLevel: 4 },
      { name: 'Stockport', wave: null, maturityLevel: 3 },
      { name: 'Wigan', wave: 2, maturityLevel: 3 },
    ],
    organisations: [
      { odsCode: 'QOP', name: 'NHS Greater Manchester Integrated Care Board', type: 'icb' },
      { odsCode: 'R0A', name: 'Manchester University NHS Foundation Trust', type: 'acute_trust', place: 'Manchester' },
      { odsCode: 'RM3', name: 'Northern Care Alliance NHS Foundation Trust', type: 'acute_trust', place: 'Salford' },
      { odsCode: 'RXV', name: 'Greater Manchester Mental Health NHS Foundation Trust', type: 'mental_health_trust' },
      { odsCode: 'RX7', name: 'North West Ambulance Service NHS Trust', type: 'ambulance_trust' },
      { odsCode: 'E08000003', name: 'Manchester City Council', type: 'local_authority', place: 'Manchester' },
      { odsCode: 'DEMO05', name: 'Irwell Bank Medical Centre (demo)', type: 'gp_practice', place: 'Salford' },
      { odsCode: 'DEMOP1', name: 'Central Manchester Primary Care Network (demo)', type: 'primary_care_network', place: 'Manchester' },
    ],
  },
  QHM: {
    places: [
      { name: 'Newcastle', wave: 1, maturityLevel: 3 },
      { name: 'Gateshead', wave: 1, maturityLevel: 3 },
      { name: 'Sunderland', wave: null, maturityLevel: 2 },
      { name: 'North Cumbria', wave: 2, maturityLevel: 2 },
    ],
    organisations: [
      { odsCode: 'QHM', name: 'NHS North East and North Cumbria Integrated Care Board', type: 'icb' },
      { odsCode: 'RTD', name: 'The Newcastle upon Tyne Hospitals NHS Foundation Trust', type: 'acute_trust', place: 'Newcastle' },
      { odsCode: 'RX4', name: 'Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust', type: 'mental_health_trust' },
      { odsCode: 'RX6', name: 'North East Ambulance Service NHS Foundation Trust', type: 'ambulance_trust' },
      { odsCode: 'E08000037', name: 'Gateshead Council', type: 'local_authority', place: 'Gateshead' },
      { odsCode: 'DEMO06', name: 'Tyne Bridge Surgery (demo)', type: 'gp_practice', place: 'Gateshead' },
      { odsCode: 'DEMOH3', name: 'Tyneside Community Hospice (demo)', type: 'hospice', place: 'Newcastle' },
      { odsCode: 'DEMOS1', name: 'Sunderland Home Care Cooperative (demo)', type: 'social_care', place: 'Sunderland' },
    ],
  },
};

export const DEMO_PASSWORD = 'demo-password-2026';

/** Demo sign-ins, one per role; never for a real deployment. */
export const DEMO_ACCOUNTS: readonly {
  email: string;
  givenName: string;
  familyName: string;
  roles: ('participant' | 'programme_lead' | 'coach' | 'admin')[];
  systems: string[];
  organisation: string;
  jobTitle: string;
  staffGroup: string;
  grade: string;
  profession: string;
  describe: string;
}[] = [
  { email: 'national.admin@demo.leadership.example', givenName: 'Priya', familyName: 'Shah', roles: ['admin'], systems: [], organisation: 'QE1', jobTitle: 'National leadership programme manager', staffGroup: 'administrative_clerical', grade: 'band_8c', profession: 'Management', describe: 'national admin (every system)' },
  { email: 'lsc.admin@demo.leadership.example', givenName: 'Tom', familyName: 'Hargreaves', roles: ['admin'], systems: ['QE1'], organisation: 'QE1', jobTitle: 'Head of leadership and OD', staffGroup: 'administrative_clerical', grade: 'band_8b', profession: 'Organisational development', describe: 'system admin, Lancashire and South Cumbria' },
  { email: 'lsc.lead@demo.leadership.example', givenName: 'Amara', familyName: 'Okafor', roles: ['programme_lead', 'participant'], systems: ['QE1'], organisation: 'RW5', jobTitle: 'System leadership programme lead', staffGroup: 'nursing_midwifery_registered', grade: 'band_8a', profession: 'Mental health nursing', describe: 'programme lead, Lancashire and South Cumbria' },
  { email: 'frimley.lead@demo.leadership.example', givenName: 'James', familyName: 'Whitfield', roles: ['programme_lead'], systems: ['QNQ'], organisation: 'RDU', jobTitle: 'Leadership development lead', staffGroup: 'administrative_clerical', grade: 'band_8a', profession: 'Organisational development', describe: 'programme lead, Frimley' },
  { email: 'coach@demo.leadership.example', givenName: 'Helen', familyName: 'Marsh', roles: ['coach'], systems: ['QE1'], organisation: 'QE1', jobTitle: 'Improvement coach', staffGroup: 'allied_health_professionals', grade: 'band_8a', profession: 'Physiotherapy', describe: 'improvement coach, Lancashire and South Cumbria' },
  { email: 'gp@demo.leadership.example', givenName: 'Daniel', familyName: 'Kowalski', roles: ['participant'], systems: [], organisation: 'DEMO01', jobTitle: 'GP partner', staffGroup: 'medical_dental', grade: 'gp', profession: 'General practice', describe: 'participant, GP in Blackburn with Darwen' },
  { email: 'nurse@demo.leadership.example', givenName: 'Grace', familyName: 'Mensah', roles: ['participant'], systems: [], organisation: 'RXN', jobTitle: 'Ward sister', staffGroup: 'nursing_midwifery_registered', grade: 'band_7', profession: 'Adult nursing', describe: 'participant, nurse at Lancashire Teaching Hospitals' },
  { email: 'social.worker@demo.leadership.example', givenName: 'Owen', familyName: 'Price', roles: ['participant'], systems: [], organisation: 'E08000037', jobTitle: 'Senior social worker', staffGroup: 'social_care', grade: 'non_afc', profession: 'Social work', describe: 'participant, social worker at Gateshead Council' },
];

/** Demo programmes, each with one open cohort; `system` is an ICB code, or null for national. */
export const DEMO_PROGRAMMES: readonly {
  title: string;
  description: string;
  level: 'foundations' | 'first_line' | 'mid_level' | 'senior' | 'executive' | 'system';
  system: string | null;
  staffGroups: string[];
  minGrade: string | null;
  fundingPence: number;
  cohort: { name: string; capacity: number; requiresApproval: boolean; offerWindowHours: number };
  sessions: { title: string; kind: 'workshop' | 'action_learning_set' | 'masterclass' | 'coaching' | 'residential'; dayOffset: number; startHour: number; hours: number; location?: string; onlineUrl?: string }[];
}[] = [
  {
    title: 'System Leadership Development Programme',
    description: 'For senior leaders who lead change across organisational boundaries in their Integrated Care System.',
    level: 'system',
    system: null,
    staffGroups: [],
    minGrade: 'band_8a',
    fundingPence: 48_000_000,
    cohort: { name: 'Spring 2027 national cohort', capacity: 24, requiresApproval: false, offerWindowHours: 48 },
    sessions: [
      { title: 'Launch residential: leading in complex systems', kind: 'residential', dayOffset: 75, startHour: 9, hours: 8, location: 'Leeds' },
      { title: 'Action learning set 1', kind: 'action_learning_set', dayOffset: 90, startHour: 13, hours: 3, onlineUrl: 'https://meet.example/slp-als-1' },
    ],
  },
  {
    title: 'Leading Integrated Neighbourhood Teams',
    description: 'Clinicians, social workers and managers building neighbourhood health teams together across Lancashire and South Cumbria.',
    level: 'mid_level',
    system: 'QE1',
    staffGroups: [],
    minGrade: null,
    fundingPence: 9_600_000,
    cohort: { name: 'Blackburn with Darwen and Blackpool 2027', capacity: 16, requiresApproval: true, offerWindowHours: 0 },
    sessions: [
      { title: 'Workshop: population health for neighbourhoods', kind: 'workshop', dayOffset: 76, startHour: 9, hours: 3, location: 'Preston' },
      { title: 'Masterclass: leading across organisational boundaries', kind: 'masterclass', dayOffset: 104, startHour: 14, hours: 2, onlineUrl: 'https://meet.example/lsc-masterclass' },
    ],
  },
  {
    title: 'Clinical Leadership for Place',
    description: 'For registered clinicians at band 7 and above taking on Place leadership roles in Frimley.',
    level: 'senior',
    system: 'QNQ',
    staffGroups: ['medical_dental', 'nursing_midwifery_registered', 'allied_health_professionals'],
    minGrade: 'band_7',
    fundingPence: 6_000_000,
    cohort: { name: 'Frimley Place leaders 2027', capacity: 12, requiresApproval: false, offerWindowHours: 24 },
    sessions: [{ title: 'Coaching: your Place leadership challenge', kind: 'coaching', dayOffset: 80, startHour: 10, hours: 1, onlineUrl: 'https://meet.example/frimley-coaching' }],
  },
];

/** Demo talent pools, by ICB code. */
export const DEMO_TALENT_POOLS: readonly { system: string; name: string; purpose: string }[] = [
  { system: 'QE1', name: 'Aspiring directors', purpose: 'Senior leaders from any organisation in the system preparing for director roles.' },
  { system: 'QE1', name: 'Clinical leaders for neighbourhood health', purpose: 'Clinicians and social care professionals ready to lead integrated neighbourhood teams.' },
];
