import { Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditEntry } from './audit-entry.entity';
import { AuditService } from './audit.service';
import { AuditPersonalData } from './audit-personal-data';

@Global()
@Module({ imports: [MikroOrmModule.forFeature([AuditEntry])], providers: [AuditService, AuditPersonalData], exports: [AuditService] })
export class AuditModule {}
