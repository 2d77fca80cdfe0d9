import type { ImportKind, ImportKindDefinition } from './import-kind';
import { ESR_PEOPLE } from './kinds/esr-people.kind';
import { ODS_ICB } from './kinds/ods-icb.kind';
import { ODS_GP_PRACTICE, ODS_TRUST } from './kinds/ods-organisations.kind';

/** Every kind has exactly one definition: adding a kind without one does not compile. */
export const IMPORT_KIND_DEFINITIONS: Readonly<Record<ImportKind, ImportKindDefinition>> = {
  ods_icb: ODS_ICB,
  ods_trust: ODS_TRUST,
  ods_gp_practice: ODS_GP_PRACTICE,
  esr_people: ESR_PEOPLE,
};
