import { GRADES, STAFF_GROUPS, type Grade, type StaffGroup } from '@slp/identity';

/** Lower case, words only, without "and"/"&": "Administrative and Clerical" and "administrative_clerical" read alike. */
function words(value: string): string {
  return value
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word && word !== 'and')
    .join(' ');
}

/** ESR staff group names (as ESR abbreviates them, too) and the platform's own values. */
const STAFF_GROUP_NAMES = new Map<string, StaffGroup>([
  ...STAFF_GROUPS.map((group) => [words(group), group] as const),
  ['add prof scientific technic', 'additional_professional_scientific_technical'],
  ['additional professional scientific technical', 'additional_professional_scientific_technical'],
  ['nursing midwifery registered', 'nursing_midwifery_registered'],
  ['allied health professionals', 'allied_health_professionals'],
  ['healthcare scientists', 'healthcare_scientists'],
]);

/** The platform's staff group for an ESR staff group; null when there is no such group (never a guess). */
export function staffGroupOf(value: string): StaffGroup | null {
  return STAFF_GROUP_NAMES.get(words(value)) ?? null;
}

const GRADE_NAMES = new Map<string, Grade>([
  ...GRADES.map((grade) => [words(grade), grade] as const),
  ['foundation year 1', 'medical_foundation'],
  ['foundation year 2', 'medical_foundation'],
  ['fy1', 'medical_foundation'],
  ['fy2', 'medical_foundation'],
  ['specialty registrar', 'medical_specialty'],
  ['specialty doctor', 'medical_specialty'],
  ['specialist', 'medical_specialty'],
  ['associate specialist', 'medical_specialty'],
  ['consultant', 'medical_consultant'],
  ['general practitioner', 'gp'],
  ['very senior manager', 'vsm'],
  ['non afc', 'non_afc'],
  ['non agenda for change', 'non_afc'],
]);

/**
 * The platform's grade for an ESR grade: Agenda for Change bands as ESR writes them ("Band 5",
 * "Band 8a", "Band 8 - Range A", "Agenda for Change Band 6", "Review Body Band 7"), the common
 * medical grades, VSM and non-AfC; null otherwise ("Band 8" alone names no range, so it is not guessed).
 */
export function gradeOf(value: string): Grade | null {
  const text = words(value);
  const known = GRADE_NAMES.get(text);
  if (known) return known;
  const band = /^(?:agenda for change |afc |review body )?band (\d)(?: range)? ?([a-d])?$/.exec(text);
  if (band) {
    const [, number, range] = band;
    const grade = number === '8' ? (range ? `band_8${range}` : null) : range ? null : `band_${number}`;
    return grade && (GRADES as readonly string[]).includes(grade) ? (grade as Grade) : null;
  }
  return null;
}

/** ESR's primary assignment flag: true, false, or null when it is neither. */
export function primaryAssignmentOf(value: string): boolean | null {
  const text = value.trim().toLowerCase();
  if (['y', 'yes', 'true', '1', 'p', 'primary'].includes(text)) return true;
  if (['n', 'no', 'false', '0', 's', 'secondary'].includes(text)) return false;
  return null;
}
