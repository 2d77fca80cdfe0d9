import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DirectoryModule } from '@slp/directory';
import { IdentityModule } from '@slp/identity';
import { LearningModule } from '@slp/learning';
import { NotificationsModule } from '@slp/notifications';
import { Appointment } from './appointment.entity';
import { AppointmentsService } from './appointments.service';
import { Membership } from './membership.entity';
import { NominationEvent } from './nomination-event.entity';
import { Nomination } from './nomination.entity';
import { NominationsService } from './nominations.service';
import { PipelineService } from './pipeline.service';
import { LeadDigestService } from './lead-digest.service';
import { TalentNotifier } from './talent-notifier';
import { TalentPersonalData } from './talent-personal-data';
import { TalentPool } from './talent-pool.entity';
import { TalentPoolsService } from './talent-pools.service';

export const TALENT_ENTITIES = [TalentPool, Nomination, NominationEvent, Membership, Appointment];

@Module({
  imports: [MikroOrmModule.forFeature(TALENT_ENTITIES), DirectoryModule, IdentityModule, LearningModule, NotificationsModule],
  providers: [TalentPoolsService, NominationsService, AppointmentsService, PipelineService, LeadDigestService, TalentNotifier, TalentPersonalData],
  exports: [TalentPoolsService, NominationsService, AppointmentsService, PipelineService, LeadDigestService],
})
export class TalentModule {}
