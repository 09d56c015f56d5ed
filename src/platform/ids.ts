import { v7 as uuidv7 } from 'uuid';

/**
 * Time-ordered ids (UUIDv7) for rows, events and request ids. (Request ids were ULIDs: the ulid
 * package draws random bytes from the OS per character, a measurable cost on every request.)
 */
export const newId = (): string => uuidv7();
export const newRequestId = (): string => uuidv7();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);
