import type { ColumnType, Selectable } from 'kysely';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type { DeviceSource } from '../domain/device.js';

/** Kysely table types of the `auth` schema (data/migrations). */
export interface SessionsTable {
  id: string;
  principal_type: PrincipalType;
  principal_id: string;
  created_at: ColumnType<Date, Date, never>;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
  user_agent: string | null;
  ip: string | null;
  /** SHA-256 of the device fingerprint at login (domain/device.ts); null when none was sent. */
  device_hash: string | null;
  device_source: DeviceSource | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: ColumnType<Date, Date, never>;
  expires_at: Date;
  used_at: Date | null;
  replaced_by: string | null;
}

export interface AuthDB {
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
