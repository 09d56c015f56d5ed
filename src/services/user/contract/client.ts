import type { EventHistory } from '../../../contracts/index.js';
import type { PrincipalDirectory } from '../../auth/contract/directory.js';

/** The user (staff directory) service as other services see it. */
export interface StaffUser {
  id: string;
  email: string;
  name: string;
  type: 'admin' | 'shipper';
  status: 'active' | 'suspended' | 'deleted';
  roles: string[];
  permissions: string[];
  permissionsVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface UserClient extends EventHistory {
  /** Validates staff credentials and loads principals for auth (admin and shipper types). */
  directory: PrincipalDirectory;
  getUser(id: string): Promise<StaffUser | undefined>;
}
