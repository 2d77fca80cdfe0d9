import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Organisation } from '@slp/directory';
import { newId } from '@slp/platform';

/** ESR staff groups, plus the groups of partners outside the NHS pay system. */
export const STAFF_GROUPS = [
  'additional_clinical_services',
  'additional_professional_scientific_technical',
  'administrative_clerical',
  'allied_health_professionals',
  'estates_ancillary',
  'healthcare_scientists',
  'medical_dental',
  'nursing_midwifery_registered',
  'students',
  'social_care',
  'local_government',
  'voluntary_sector',
  'other',
] as const;
export type StaffGroup = (typeof STAFF_GROUPS)[number];

/** Agenda for Change bands in order, then medical grades, VSM and non-AfC. */
export const GRADES = [
  'band_1',
  'band_2',
  'band_3',
  'band_4',
  'band_5',
  'band_6',
  'band_7',
  'band_8a',
  'band_8b',
  'band_8c',
  'band_8d',
  'band_9',
  'medical_foundation',
  'medical_specialty',
  'medical_consultant',
  'gp',
  'vsm',
  'non_afc',
] as const;
export type Grade = (typeof GRADES)[number];

/** Someone in the health and care workforce. May exist before they have an account (nominated by email). */
@Entity({ tableName: 'person' })
export class Person {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  /** citext: unique and compared case-insensitively. */
  @Property({ columnType: 'citext', type: 'string', unique: true })
  email!: string;

  @Property({ type: 'text' })
  givenName!: string;

  @Property({ type: 'text' })
  familyName!: string;

  @Index()
  @ManyToOne(() => Organisation, { nullable: true, deleteRule: 'set null' })
  organisation?: Organisation | null;

  @Property({ type: 'text', nullable: true })
  staffGroup?: StaffGroup | null;

  @Property({ type: 'text', nullable: true })
  profession?: string | null;

  @Property({ type: 'text', nullable: true })
  jobTitle?: string | null;

  @Property({ type: 'text', nullable: true })
  grade?: Grade | null;

  @Property({ columnType: 'citext', type: 'string', nullable: true })
  lineManagerEmail?: string | null;

  /** The ESR employee number, unique within the organisation: what ESR imports match people by first. */
  @Property({ type: 'text', nullable: true })
  esrEmployeeNumber?: string | null;

  /**
   * Employment the person proposed for themself, waiting for a lead or admin of the target system
   * (see PeopleService). Until confirmed, organisation, staffGroup and grade above stay as they were,
   * and they alone decide eligibility and who can see the person. Null proposedAt: nothing pending.
   */
  @Index()
  @ManyToOne(() => Organisation, { nullable: true, deleteRule: 'set null' })
  pendingOrganisation?: Organisation | null;

  @Property({ type: 'text', nullable: true })
  pendingStaffGroup?: StaffGroup | null;

  @Property({ type: 'text', nullable: true })
  pendingGrade?: Grade | null;

  @Property({ type: 'timestamptz', nullable: true })
  employmentProposedAt?: Date | null;

  /** When the person was erased (their names, email and free text replaced); the row stays for report counts. */
  @Property({ type: 'timestamptz', nullable: true })
  erasedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
