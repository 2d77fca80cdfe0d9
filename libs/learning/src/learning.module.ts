import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { NotificationsModule } from '@slp/notifications';
import { Attendance } from './attendance.entity';
import { AttendanceService } from './attendance.service';
import { Cohort } from './cohort.entity';
import { CohortsService } from './cohorts.service';
import { Enrolment } from './enrolment.entity';
import { EnrolmentEvents } from './enrolment-events';
import { EnrolmentService } from './enrolment.service';
import { LearningOverviewService } from './learning-overview.service';
import { LearningNotifier } from './learning-notifier';
import { LearningQueries } from './learning.queries';
import { LearningPersonalData } from './learning-personal-data';
import { Programme } from './programme.entity';
import { ProgrammesService } from './programmes.service';
import { SeatAllocator } from './seat-allocator';
import { Session } from './session.entity';
import { SessionsService } from './sessions.service';
import { SessionRemindersService } from './session-reminders.service';

export const LEARNING_ENTITIES = [Programme, Cohort, Enrolment, Session, Attendance];

@Module({
  imports: [MikroOrmModule.forFeature(LEARNING_ENTITIES), NotificationsModule],
  providers: [LearningOverviewService, ProgrammesService, CohortsService, EnrolmentService, SessionsService, AttendanceService, SessionRemindersService, SeatAllocator, LearningNotifier, EnrolmentEvents, LearningPersonalData, LearningQueries],
  exports: [LearningOverviewService, EnrolmentEvents, LearningQueries, ProgrammesService, CohortsService, EnrolmentService, SessionsService, AttendanceService, SessionRemindersService],
})
export class LearningModule {}
