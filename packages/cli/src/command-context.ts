import type { Command } from 'commander';
import { defaultProfileDir, Profile, resolveProfileDir } from './profile.ts';

/** The global options every command sees, wherever on the command line they were given. */
export interface CommandContext {
  profile: Profile;
  /** `--json`: print machine-readable results. */
  isJson: boolean;
  /** `--timeout`: how long to wait for the server to connect or to answer. */
  timeoutMs: number;
}

/** How long commands wait for the server when `--timeout` is not given. */
export const DEFAULT_TIMEOUT_SECONDS = 15;

/** Reads the global options (`--profile`, `--json`) as they apply to `command`. */
export function commandContext(command: Command): CommandContext {
  const options = command.optsWithGlobals<{ profile?: string; json?: boolean; timeout?: number }>();
  return {
    profile: new Profile(resolveProfileDir(options.profile ?? defaultProfileDir())),
    isJson: options.json === true,
    timeoutMs: (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}
