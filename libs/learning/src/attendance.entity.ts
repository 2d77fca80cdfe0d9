import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Enrolment } from './enrolment.entity';
import { Session } from './session.entity';

export const ATTENDANCE_STATUSES = ['present', 'absent', 'apologies'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

@Entity({ tableName: 'attendance' })
export class Attendance {
  @ManyToOne(() => Session, { primary: true, deleteRule: 'cascade' })
  session!: Session;

  @ManyToOne(() => Enrolment, { primary: true, deleteRule: 'cascade' })
  enrolment!: Enrolment;

  @Property({ type: 'text' })
  status!: AttendanceStatus;

  @Property({ type: 'uuid' })
  recordedByAccountId!: string;

  @Property({ type: 'timestamptz' })
  recordedAt: Date = new Date();
}
