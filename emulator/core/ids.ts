// Id generation, injected so tests can make ids predictable.
import { randomUUID } from 'node:crypto';

export interface IdGenerator {
  /** A new random UUID (upload sessions, operations). */
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
