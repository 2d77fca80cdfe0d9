export * from './region.entity';
export * from './system.entity';
export * from './place.entity';
export * from './organisation.entity';
export * from './systems.service';
export * from './places.service';
export * from './organisations.service';
export * from './directory.module';
