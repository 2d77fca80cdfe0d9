import { GRADES, type Grade, type Person } from '@slp/identity';
import type { Programme } from './programme.entity';

/**
 * Why `person` may not join `programme`, or null when they may. Grade ranges follow the order of
 * {@link GRADES} (Agenda for Change bands, then medical grades, VSM and non-AfC).
 */
export function ineligibilityReason(programme: Pick<Programme, 'eligibleStaffGroups' | 'minGrade' | 'maxGrade'>, person: Pick<Person, 'staffGroup' | 'grade'>): string | null {
  if (programme.eligibleStaffGroups.length) {
    if (!person.staffGroup) return 'This programme is for particular staff groups: add your staff group to your profile first.';
    if (!programme.eligibleStaffGroups.includes(person.staffGroup)) return `This programme is for staff groups ${programme.eligibleStaffGroups.join(', ')}; yours is ${person.staffGroup}.`;
  }
  if (programme.minGrade || programme.maxGrade) {
    if (!person.grade) return 'This programme is for particular grades: add your grade to your profile first.';
    const rank = gradeRank(person.grade);
    if (programme.minGrade && rank < gradeRank(programme.minGrade)) return `This programme starts at grade ${programme.minGrade}; yours is ${person.grade}.`;
    if (programme.maxGrade && rank > gradeRank(programme.maxGrade)) return `This programme goes up to grade ${programme.maxGrade}; yours is ${person.grade}.`;
  }
  return null;
}

export function gradeRank(grade: Grade): number {
  return GRADES.indexOf(grade);
}
