import type { Chat } from '@samizdat/protocol';
import { useEffect, useRef } from 'react';

/**
 * Keys that move between chats ([WEB56]): Alt+↑/↓ (or Ctrl+↑/↓) opens the previous or next chat
 * of the list as shown (filtered by the search, when one is typed); ↑/↓ on a focused row of the
 * list moves the focus to the row above or below, and Enter opens it (rows are buttons).
 */
export function useChatNavigationKeys(chats: readonly Chat[], openChatId: number | null, onSelect: (chatId: number) => void): void {
  const latest = useRef({ chats, openChatId, onSelect });
  latest.current = { chats, openChatId, onSelect };
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
      const step = event.key === 'ArrowUp' ? -1 : 1;
      // Every row takes the focus (secret chats too); Alt/Ctrl opens the chats with an id.
      const focusable = [...document.querySelectorAll<HTMLElement>('.chat-list-item')];
      const rows = focusable.filter((row) => row.dataset['chatId'] !== undefined);
      const focused = document.activeElement instanceof HTMLElement ? focusable.indexOf(document.activeElement) : -1;
      if (event.altKey || event.ctrlKey) {
        if (event.shiftKey || event.metaKey || event.isComposing) return;
        const ids = rows.length > 0 ? rows.map((row) => Number(row.dataset['chatId'])) : latest.current.chats.map((chat) => chat.id);
        if (ids.length === 0) return;
        event.preventDefault();
        const current = latest.current.openChatId === null ? -1 : ids.indexOf(latest.current.openChatId);
        const next = current === -1 ? (step === 1 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, current + step));
        latest.current.onSelect(ids[next]!);
        // Keep the newly opened chat's row in view in a long list.
        requestAnimationFrame(() => document.querySelector(`.chat-list-item[data-chat-id="${ids[next]}"]`)?.scrollIntoView({ block: 'nearest' }));
      } else if (focused !== -1 && !event.shiftKey && !event.metaKey) {
        event.preventDefault();
        focusable[Math.min(focusable.length - 1, Math.max(0, focused + step))]?.focus();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
