import { createHash } from 'node:crypto';

/** A stable, non-reversible id for a workspace (the ledger stores this, never the path). */
export function hashWorkspace(pathOrUri: string): string {
  return createHash('sha256').update(pathOrUri).digest('hex').slice(0, 16);
}
