import { GRADES, type Grade, type Person, type StaffGroup } from '@slp/identity';
import type { Programme } from './programme.entity';

/** Agenda for Change bands, lowest first: the only grades a range (minGrade/maxGrade) speaks of. */
export const AFC_BANDS = GRADES.filter((grade) => grade.startsWith('band_')) as readonly Grade[];

export type EligibilityRules = Pick<Programme, 'eligibleStaffGroups' | 'minGrade' | 'maxGrade'> & { readonly eligibleGrades?: readonly Grade[] | null };

export function isAfcBand(grade: Grade): boolean {
  return AFC_BANDS.includes(grade);
}

/**
 * Why `person` may not join `programme`, or null when they may. A grade range (minGrade/maxGrade)
 * covers Agenda for Change bands only; any other grade (medical, GP, VSM, non-AfC), or a band
 * outside the range, is eligible only when the programme lists it in eligibleGrades.
 */
export function ineligibilityReason(programme: EligibilityRules, person: Pick<Person, 'staffGroup' | 'grade'>): string | null {
  if (programme.eligibleStaffGroups.length) {
    if (!person.staffGroup) return 'This programme is for particular staff groups: add your staff group to your profile first.';
    if (!programme.eligibleStaffGroups.includes(person.staffGroup)) return `This programme is for staff groups ${programme.eligibleStaffGroups.join(', ')}; yours is ${person.staffGroup}.`;
  }
  const listed = programme.eligibleGrades ?? [];
  if (!programme.minGrade && !programme.maxGrade && !listed.length) return null;
  if (!person.grade) return 'This programme is for particular grades: add your grade to your profile first.';
  if (listed.includes(person.grade)) return null;
  const hasRange = Boolean(programme.minGrade || programme.maxGrade);
  if (hasRange && isAfcBand(person.grade)) {
    const rank = gradeRank(person.grade);
    if (programme.minGrade && rank < gradeRank(programme.minGrade)) return `This programme starts at grade ${programme.minGrade}; yours is ${person.grade}.`;
    if (programme.maxGrade && rank > gradeRank(programme.maxGrade)) return `This programme goes up to grade ${programme.maxGrade}; yours is ${person.grade}.`;
    return null;
  }
  return `This programme is for ${gradeSummary(programme)}; yours is ${person.grade}.`;
}

export function gradeRank(grade: Grade): number {
  return GRADES.indexOf(grade);
}

const GRADE_LABELS: Record<Grade, string> = {
  ...(Object.fromEntries(AFC_BANDS.map((band) => [band, `Agenda for Change band ${band.slice('band_'.length)}`])) as Record<Grade, string>),
  medical_foundation: 'foundation doctors',
  medical_specialty: 'specialty doctors',
  medical_consultant: 'consultants',
  gp: 'GPs',
  vsm: 'very senior managers',
  non_afc: 'staff not on Agenda for Change',
};

/** The grades a programme takes, in plain words, e.g. "Agenda for Change band 8a and above, and GPs". */
export function gradeSummary(programme: EligibilityRules): string {
  const { minGrade, maxGrade } = programme;
  const band = (grade: Grade) => grade.slice('band_'.length);
  let range: string | null = null;
  if (minGrade && maxGrade) range = minGrade === maxGrade ? GRADE_LABELS[minGrade] : `Agenda for Change bands ${band(minGrade)} to ${band(maxGrade)}`;
  else if (minGrade) range = `${GRADE_LABELS[minGrade]} and above`;
  else if (maxGrade) range = `${GRADE_LABELS[maxGrade]} and below`;
  const others = GRADES.filter((grade) => (programme.eligibleGrades ?? []).includes(grade)).map((grade) => GRADE_LABELS[grade]);
  if (!range && !others.length) return 'any grade';
  if (!range) return joinWords(others);
  return others.length ? `${range}, and ${joinWords(others)}` : range;
}

/** Who may join, in plain words: staff groups, then grades. */
export function eligibilitySummary(programme: EligibilityRules): string {
  const groups = programme.eligibleStaffGroups.length ? `Staff groups ${joinWords(programme.eligibleStaffGroups.map(staffGroupLabel))}` : null;
  const grades = gradeSummary(programme);
  if (!groups) return grades === 'any grade' ? 'Open to everyone' : capitalise(grades);
  return grades === 'any grade' ? `${groups}, any grade` : `${groups}; ${grades}`;
}

function staffGroupLabel(group: StaffGroup): string {
  return group.replaceAll('_', ' ');
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
