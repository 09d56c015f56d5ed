import type { PrincipalType } from '../../../platform/security/principal.js';
import type { PrincipalDirectory } from '../contract/directory.js';

/**
 * Which directory answers for which principal type. The user service serves `admin`/`shipper`
 * today; the customer service joins by adding its directory to the list — nothing else in auth
 * changes.
 */
export interface DirectoryRegistry {
  for(type: PrincipalType): PrincipalDirectory | undefined;
  readonly types: readonly PrincipalType[];
}

export function createDirectoryRegistry(directories: readonly PrincipalDirectory[]): DirectoryRegistry {
  const byType = new Map<PrincipalType, PrincipalDirectory>();
  for (const directory of directories) {
    for (const type of directory.types) {
      // Two directories for one type would make logins ambiguous: refuse at start-up.
      if (byType.has(type)) throw new Error(`Two principal directories answer for type ${type}`);
      byType.set(type, directory);
    }
  }
  return { for: (type) => byType.get(type), types: [...byType.keys()] };
}
