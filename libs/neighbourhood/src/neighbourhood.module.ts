import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { NotificationsModule } from '@slp/notifications';
import { AssessmentsService } from './assessments.service';
import { CoachingSessionsService } from './coaching.service';
import { NEIGHBOURHOOD_ENTITIES } from './entities';
import { IndicatorsService } from './indicators.service';
import { IntelligenceService } from './intelligence.service';
import { MentoringService } from './mentoring.service';
import { NeighbourhoodNotifier } from './neighbourhood-notifier';
import { NeighbourhoodPersonalData } from './neighbourhood-personal-data';
import { NeighbourhoodPlacesService } from './places.service';
import { PracticesService } from './practices.service';
import { StoriesService } from './stories.service';

const SERVICES = [NeighbourhoodPlacesService, CoachingSessionsService, AssessmentsService, IndicatorsService, IntelligenceService, PracticesService, MentoringService, StoriesService];

/** Neighbourhood health: the National Neighbourhood Health Implementation Programme's Places, coaching, maturity, indicators and learning. */
@Module({
  imports: [MikroOrmModule.forFeature(NEIGHBOURHOOD_ENTITIES), NotificationsModule],
  providers: [...SERVICES, NeighbourhoodNotifier, NeighbourhoodPersonalData],
  exports: SERVICES,
})
export class NeighbourhoodModule {}
