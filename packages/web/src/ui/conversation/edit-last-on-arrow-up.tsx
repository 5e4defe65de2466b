import type { Message } from '@samizdat/protocol';
import { useEffect, useRef } from 'react';
import { useConversationActions } from './actions/actions-context.ts';

/**
 * ↑ in an empty composer edits the user's last message of the open conversation ([WEB57]), as in
 * Telegram: it enters the composer's edit mode. Renders nothing; listens on the window so that
 * the composer itself stays unaware of it.
 */
export function EditLastOnArrowUp({ messages, selfId }: { messages: readonly Message[] | undefined; selfId: number }) {
  const context = useConversationActions();
  const latest = useRef({ context, messages });
  latest.current = { context, messages };
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'ArrowUp' || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.isComposing) return;
      const field = event.target;
      if (!(field instanceof HTMLTextAreaElement) || field.getAttribute('aria-label') !== 'Message' || field.value !== '') return;
      const { context: actions, messages: loaded } = latest.current;
      if (actions === null || actions.mode !== null || loaded === undefined) return;
      for (let i = loaded.length - 1; i >= 0; i--) {
        const message = loaded[i]!;
        if (message.senderId !== selfId) continue;
        event.preventDefault();
        actions.setMode({ kind: 'edit', message });
        return;
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [selfId]);
  return null;
}
