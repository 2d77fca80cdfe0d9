import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Organisation } from './organisation.entity';
import { OrganisationsService } from './organisations.service';
import { Place } from './place.entity';
import { PlacesService } from './places.service';
import { Region } from './region.entity';
import { System } from './system.entity';
import { SystemsService } from './systems.service';

export const DIRECTORY_ENTITIES = [Region, System, Place, Organisation];

@Module({
  imports: [MikroOrmModule.forFeature(DIRECTORY_ENTITIES)],
  providers: [SystemsService, PlacesService, OrganisationsService],
  exports: [SystemsService, PlacesService, OrganisationsService],
})
export class DirectoryModule {}
