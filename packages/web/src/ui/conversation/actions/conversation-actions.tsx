import { RpcError } from '@samizdat/client';
import type { Chat, Message } from '@samizdat/protocol';
import { useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppSnapshot } from '../../../model/chat-store.ts';
import { messagePermissions, ownReactionOf } from '../../../model/message-actions.ts';
import { errorText } from '../../common/error-text.ts';
import { ConversationActionsContext, MessageActionsContext, useActivity, type ComposerMode, type ConversationActionsValue } from './actions-context.ts';
import { DeleteDialog } from './delete-dialog.tsx';
import { ForwardDialog } from './forward-dialog.tsx';
import { MessageMenu } from './message-menu.tsx';
import './message-actions.css';

type Open = { kind: 'none' } | { kind: 'menu'; message: Message; point: { x: number; y: number } } | { kind: 'delete'; message: Message } | { kind: 'forward'; message: Message };

/** The note shown when a message of a chat with forwarding turned off is to be forwarded. */
export const NO_FORWARDS_NOTE = 'Messages from this chat cannot be forwarded: its admins turned forwarding off';

/**
 * Message actions for one open conversation ([WEB10]–[WEB13]): gives the bubbles inside it their
 * menu, reactions, reply quotes and the composer its reply/edit mode, and shows the menu and the
 * delete and forward dialogs. Renders no box of its own (`display: contents`).
 */
export function ConversationActions({ chat, snapshot, onReport, onOpenChat, children }: { chat: Chat | null; snapshot: AppSnapshot; onReport: (text: string) => void; onOpenChat?: (chatId: number) => void; children: ReactNode }) {
  const actions = useContext(MessageActionsContext);
  const activity = useActivity();
  const [open, setOpen] = useState<Open>({ kind: 'none' });
  const [mode, setMode] = useState<ComposerMode | null>(null);
  const scopeRef = useRef<HTMLDivElement>(null);
  const messages = chat === null ? undefined : snapshot.conversations.get(chat.id)?.messages;
  const byId = useMemo(() => new Map((messages ?? []).map((message) => [message.id, message])), [messages]);
  const selfId = snapshot.self.id;

  // A message being answered or edited that was deleted meanwhile ends the mode.
  if (mode !== null && messages !== undefined && !byId.has(mode.message.id)) setMode(null);

  const closeMenu = useCallback(() => setOpen({ kind: 'none' }), []);
  const fail = useCallback((error: unknown) => onReport(describeActionError(error)), [onReport]);

  const value = useMemo<ConversationActionsValue | null>(() => {
    if (chat === null || actions === null) return null;
    return {
      chat,
      selfId,
      users: snapshot.users,
      findMessage: (messageId) => byId.get(messageId),
      openMenu: (message, point) => setOpen({ kind: 'menu', message, point }),
      toggleReaction: (message, emoji) => {
        actions.toggleReaction(chat.id, message.id, emoji, message.reactions).catch(fail);
      },
      scrollToMessage: (messageId) => {
        if (!byId.has(messageId)) {
          onReport('That message is not loaded: scroll up to find it');
          return;
        }
        void scrollToLoadedMessage(scopeRef.current, messageId);
      },
      mode,
      setMode,
      report: onReport,
    };
  }, [chat, actions, selfId, snapshot.users, byId, mode, fail, onReport]);

  const permissions = open.kind === 'none' || chat === null ? null : messagePermissions(open.message, chat, selfId);
  return (
    <ConversationActionsContext.Provider value={value}>
      <div ref={scopeRef} className="conversation-actions-scope">
        {children}
      </div>
      {open.kind === 'menu' && chat !== null && actions !== null && permissions !== null && (
        <MessageMenu
          message={open.message}
          point={open.point}
          permissions={permissions}
          isPinned={chat.pinnedMessageId === open.message.id}
          ownReaction={ownReactionOf(open.message, activity.ownReactions)}
          onClose={closeMenu}
          onReply={() => {
            setMode({ kind: 'reply', message: open.message });
            focusComposer();
          }}
          onEdit={() => {
            setMode({ kind: 'edit', message: open.message });
            focusComposer();
          }}
          onCopy={() => {
            navigator.clipboard?.writeText(open.message.text).catch(fail);
          }}
          onForward={() => {
            if (!permissions.canForward) onReport(NO_FORWARDS_NOTE);
            else setOpen({ kind: 'forward', message: open.message });
          }}
          onPin={() => {
            actions.pin(chat.id, chat.pinnedMessageId === open.message.id ? null : open.message.id).catch(fail);
          }}
          onDelete={() => setOpen({ kind: 'delete', message: open.message })}
          onReact={(emoji) => {
            actions.toggleReaction(chat.id, open.message.id, emoji, open.message.reactions).catch(fail);
          }}
        />
      )}
      {open.kind === 'delete' && chat !== null && actions !== null && permissions !== null && (
        <DeleteDialog
          canDeleteForEveryone={permissions.canDeleteForEveryone}
          onClose={closeMenu}
          onDelete={(forEveryone) => {
            closeMenu();
            actions.delete(chat.id, [open.message.id], { forEveryone }).catch(fail);
          }}
        />
      )}
      {open.kind === 'forward' && chat !== null && actions !== null && (
        <ForwardDialog
          chats={snapshot.chats}
          users={snapshot.users}
          selfId={selfId}
          onClose={closeMenu}
          onPick={(to) => {
            closeMenu();
            actions
              .forward(chat.id, [open.message.id], to.id)
              .then(() => onOpenChat?.(to.id))
              .catch(fail);
          }}
        />
      )}
    </ConversationActionsContext.Provider>
  );
}

/** Errors of the actions, in words; a refused forward says why. */
export function describeActionError(error: unknown): string {
  if (error instanceof RpcError) {
    if (error.code === 'CHAT_FORWARDS_RESTRICTED') return NO_FORWARDS_NOTE;
    if (error.code === 'MESSAGE_EDIT_TIME_EXPIRED') return 'This message can no longer be edited: messages can be edited for 48 hours';
  }
  return errorText(error);
}

/** Focuses the composer once it rendered, with the caret at the end of its text. */
function focusComposer(): void {
  requestAnimationFrame(() => {
    const input = document.querySelector<HTMLTextAreaElement>('.composer-input');
    if (input === null) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  });
}

const SCROLL_STEPS = 80;

/**
 * Scrolls the virtualised history until the message's bubble is rendered, then centres and
 * flashes it. Only the bubbles near the view are in the DOM, so it pages towards the message by
 * comparing ids with those rendered.
 */
async function scrollToLoadedMessage(scope: HTMLElement | null, messageId: number): Promise<void> {
  const list = scope?.querySelector<HTMLElement>('[role="log"]');
  if (list == null) return;
  for (let step = 0; step < SCROLL_STEPS; step++) {
    const bubble = list.querySelector<HTMLElement>(`.bubble[data-message-id="${messageId}"]`);
    if (bubble !== null) {
      bubble.scrollIntoView({ block: 'center' });
      bubble.animate([{ boxShadow: '0 0 0 3px var(--accent)' }, { boxShadow: '0 0 0 0 transparent' }], { duration: 1500, easing: 'ease-out' });
      bubble.classList.add('is-target');
      setTimeout(() => bubble.classList.remove('is-target'), 1500);
      return;
    }
    const ids = [...list.querySelectorAll<HTMLElement>('.bubble[data-message-id]')].map((element) => Number(element.dataset['messageId']));
    if (ids.length === 0) return;
    const before = list.scrollTop;
    list.scrollTop += (messageId < Math.min(...ids) ? -1 : 1) * Math.max(100, list.clientHeight * 0.8);
    if (list.scrollTop === before) return;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
}
