import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { PersonalDataArea, RegisterPersonalData } from './personal-data-area';

/**
 * Every {@link PersonalDataArea} of the application, found by their {@link RegisterPersonalData}
 * decorator (each context registers its own, so nothing here depends on the contexts). Two areas
 * with one name, or one entity in two areas, fail start-up: each record has one owner.
 */
@Injectable()
export class PersonalDataRegistry implements OnModuleInit {
  private list: readonly PersonalDataArea[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const areas = this.discovery
      .getProviders({ metadataKey: RegisterPersonalData.KEY })
      .map((wrapper) => wrapper.instance as PersonalDataArea | undefined)
      .filter((area): area is PersonalDataArea => area != null);
    const names = new Set<string>();
    const owners = new Map<Function, string>();
    for (const area of areas) {
      if (names.has(area.name)) throw new Error(`Two personal data areas are named "${area.name}"`);
      names.add(area.name);
      for (const entity of area.entities) {
        const owner = owners.get(entity);
        if (owner) throw new Error(`Entity ${entity.name} is in personal data areas "${owner}" and "${area.name}"`);
        owners.set(entity, area.name);
      }
    }
    this.list = [...areas].sort((a, b) => a.erasePhase - b.erasePhase || a.name.localeCompare(b.name));
  }

  /** In erasure order. */
  get areas(): readonly PersonalDataArea[] {
    return this.list;
  }

  /** The area that exports and erases `entity`, if any. */
  areaOf(entity: Function): PersonalDataArea | undefined {
    return this.list.find((area) => area.entities.includes(entity));
  }
}
