import { DIRECTORY_ENTITIES } from '@slp/directory';
import { IDENTITY_ENTITIES } from '@slp/identity';
import { LEARNING_ENTITIES } from '@slp/learning';
import { NEIGHBOURHOOD_ENTITIES } from '@slp/neighbourhood';
import { NOTIFICATION_ENTITIES } from '@slp/notifications';
import { AuditEntry } from '@slp/platform';
import { TALENT_ENTITIES } from '@slp/talent';

/** Every entity, for the CLI's own ORM instance (migrations, seeding) outside the Nest module graph. */
export const ALL_ENTITIES = [AuditEntry, ...DIRECTORY_ENTITIES, ...IDENTITY_ENTITIES, ...NOTIFICATION_ENTITIES, ...LEARNING_ENTITIES, ...TALENT_ENTITIES, ...NEIGHBOURHOOD_ENTITIES];
