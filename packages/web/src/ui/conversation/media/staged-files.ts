import type { AttachTarget } from './attach-files.ts';

/** Files picked or dropped, waiting in the attach dialog for a caption and "Send". */
export interface StagedSelection {
  files: readonly File[];
  target: AttachTarget;
}

/**
 * The selection the attach dialog shows ([WEB20]): the paperclip and the drop zone put files here,
 * the dialog sends or drops them. A new selection for the same conversation adds to the old one.
 */
export class StagedFiles {
  readonly #listeners = new Set<() => void>();
  #selection: StagedSelection | null = null;

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** For `useSyncExternalStore`. */
  getSnapshot = (): StagedSelection | null => this.#selection;

  stage(files: readonly File[], target: AttachTarget): void {
    const usable = files.filter((file) => file.size > 0);
    if (usable.length === 0) return;
    const current = this.#selection;
    const kept = current !== null && current.target.key === target.key ? current.files : [];
    this.#set({ files: [...kept, ...usable], target });
  }

  clear(): void {
    this.#set(null);
  }

  #set(selection: StagedSelection | null): void {
    this.#selection = selection;
    for (const listener of this.#listeners) listener();
  }
}
