import type { ColumnType, Generated, Selectable } from 'kysely';
import type { SendRequest } from '../../notification/contract/client.js';
import type { AuditEvent } from '../domain/audit.js';
import type { CustomerStatus } from '../domain/customer.js';
import type { Consents, Preferences } from '../domain/preferences.js';
import type { SegmentRules } from '../domain/segment-rules.js';
import type { TokenPurpose } from '../domain/token.js';

/** Kysely types of the customer schema (data/migrations). Column names as in SQL. */
export interface CustomerDB {
  customers: CustomersTable;
  customer_tokens: CustomerTokensTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  customer_roles: CustomerRolesTable;
  addresses: AddressesTable;
  preference_versions: PreferenceVersionsTable;
  audit_log: AuditLogTable;
  account_mails: AccountMailsTable;
  order_facts: OrderFactsTable;
  order_fact_applications: OrderFactApplicationsTable;
  customer_stats: CustomerStatsTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
}

type Timestamp = ColumnType<Date, Date, Date>;
/** jsonb: read as a value, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export interface CustomersTable {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  status: CustomerStatus;
  password_hash: string;
  email_verified_at: Date | null;
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  permissions_version: Generated<number>;
  version: Generated<number>;
  registration_source: Generated<string>;
  erasure_requested_at: Date | null;
  erase_after: Date | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Timestamp;
  deleted_at: Date | null;
}

export interface CustomerTokensTable {
  id: string;
  customer_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface RolesTable {
  name: string;
  description: string;
}

export interface RolePermissionsTable {
  role: string;
  permission: string;
}

export interface CustomerRolesTable {
  customer_id: string;
  role: string;
}

export interface AddressesTable {
  id: string;
  customer_id: string;
  label: string | null;
  first_name: string;
  last_name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string;
  country: string;
  phone: string | null;
  is_default: boolean;
  version: Generated<number>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Timestamp;
}

export interface PreferenceVersionsTable {
  customer_id: string;
  version: number;
  preferences: Json<Preferences>;
  consents: Json<Consents>;
  changed_by: string;
  changed_at: Date;
}

export interface AuditLogTable {
  id: string;
  customer_id: string;
  event: AuditEvent;
  actor: string;
  detail: Json<Record<string, unknown>>;
  occurred_at: Date;
}

export type CustomerRow = Selectable<CustomersTable>;
export type AddressRow = Selectable<AddressesTable>;
export type PreferenceRow = Selectable<PreferenceVersionsTable>;

/** An account email not yet handed to the notification service (app/account-mail.ts). */
export interface AccountMailsTable {
  id: string;
  customer_id: string;
  request: Json<SendRequest>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
}

export interface OrderFactsTable {
  order_id: string;
  customer_id: string | null;
  currency: string | null;
  total: ColumnType<string | null, bigint | string | null, bigint | string | null>;
  delivered_at: Date | null;
  cancelled: Generated<boolean>;
  fully_reversed: Generated<boolean>;
  refunded: ColumnType<string, bigint | string | undefined, bigint | string>;
  returns: Generated<number>;
  updated_at: Date;
}

export interface OrderFactApplicationsTable {
  order_id: string;
  kind: string;
  applied_at: Date;
}

type BigintColumn = ColumnType<string, bigint | string | undefined, bigint | string>;

export interface CustomerStatsTable {
  customer_id: string;
  currency: string;
  total_orders: Generated<number>;
  total_spent: BigintColumn;
  returns: Generated<number>;
  last_order_at: Date | null;
  orders_correction: Generated<number>;
  spent_correction: BigintColumn;
  returns_correction: Generated<number>;
  reconciled_last_order_at: Date | null;
  eff_orders: ColumnType<number, never, never>;
  eff_spent: ColumnType<string, never, never>;
  eff_returns: ColumnType<number, never, never>;
  eff_last_order_at: ColumnType<Date | null, never, never>;
  updated_at: Date;
  reconciled_at: Date | null;
}

export interface SegmentsTable {
  id: string;
  name: string;
  description: string | null;
  rules: Json<SegmentRules>;
  active: Generated<boolean>;
  version: Generated<number>;
  last_evaluated_at: Date | null;
  evaluation_cursor: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface SegmentMembersTable {
  segment_id: string;
  customer_id: string;
  added_at: Date;
}

export type SegmentRow = Selectable<SegmentsTable>;
export type CustomerStatsRow = Selectable<CustomerStatsTable>;
