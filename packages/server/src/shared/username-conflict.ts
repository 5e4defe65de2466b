import { RpcError } from '@samizdat/protocol';

/**
 * Runs a write that sets a username and answers `USERNAME_OCCUPIED` when the database's unique
 * index refuses it. The "is it free?" check before the write cannot see a concurrent call that
 * claims the same name between the check and the write; the index is what settles that race.
 */
export async function claimingUsername<T>(write: () => Promise<T>, username: string | null | undefined): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUsernameConflict(error)) throw new RpcError('USERNAME_OCCUPIED', `Cannot use @${username ?? ''}: it is taken`);
    throw error;
  }
}

function isUsernameConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && /username_lower/.test(error.message);
}
