import { DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/app-config';
import { ormOptions } from './orm-options';
import { ReplicaReads } from './replica-reads';

/**
 * One MikroORM instance per process. Entities are registered by each bounded context's module
 * through `MikroOrmModule.forFeature`, so the platform does not depend on the contexts.
 * {@link ReplicaReads} (the only way to read a replica) is available everywhere, like the ORM.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [ReplicaReads],
      exports: [ReplicaReads],
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions(config),
          driver: PostgreSqlDriver,
          autoLoadEntities: true,
          registerRequestContext: true,
        }),
      ],
    };
  }
}
