import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PersonalDataRegistry } from './personal-data.registry';

/** The personal-data registry, for data rights (export, erasure, retention). */
@Global()
@Module({ imports: [DiscoveryModule], providers: [PersonalDataRegistry], exports: [PersonalDataRegistry] })
export class PersonalDataModule {}
