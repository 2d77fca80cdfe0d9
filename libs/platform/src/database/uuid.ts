import { v7 } from 'uuid';

/** Time-ordered UUIDs (RFC 9562 v7): unguessable enough for ids, and friendly to B-tree indexes. */
export function newId(): string {
  return v7();
}
