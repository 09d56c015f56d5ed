import { ulid } from 'ulid';
import { v7 as uuidv7 } from 'uuid';

/** Time-ordered ids for rows and events (UUIDv7), ULIDs for request ids. */
export const newId = (): string => uuidv7();
export const newRequestId = (): string => ulid();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_RE.test(value);
