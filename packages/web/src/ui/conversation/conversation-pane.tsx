import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppSnapshot, ChatStore } from '../../model/chat-store.ts';
import type { ResolvedTarget } from '../../model/target.ts';
import { buildTimeline, type PendingMessage } from '../../model/timeline.ts';
import { errorText } from '../common/error-text.ts';
import { ChannelPostsProvider } from '../groups/channel-posts.tsx';
import { PostingGate } from '../groups/posting-gate.tsx';
import { ActionComposer } from './actions/action-composer.tsx';
import { ConversationActions } from './actions/conversation-actions.tsx';
import { PinnedMessageBar } from './actions/pinned-message-bar.tsx';
import { OfflineGate } from './offline-gate.tsx';
import { EditLastOnArrowUp } from './edit-last-on-arrow-up.tsx';
import { ConversationHeader } from './conversation-header.tsx';
import { MessageTimeline } from './message-timeline.tsx';
import { AttachButton } from './media/attach-button.tsx';
import { FileDropTarget } from './media/file-drop-target.tsx';
import { UploadList } from './media/upload-list.tsx';
import { VoiceRecorder } from './media/voice-recorder.tsx';
import { BotChatProvider } from '../bots/bot-chat-provider.tsx';
import { BotComposer } from '../bots/bot-composer.tsx';
import { BotEmptyIntro, BotStartButton } from '../bots/bot-start-button.tsx';
import { useGroups } from '../groups/groups-context.ts';

/** The right pane: one conversation's header, history and composer. */
export function ConversationPane({ store, snapshot, target, isNarrow, onClose }: { store: ChatStore; snapshot: AppSnapshot; target: ResolvedTarget; isNarrow: boolean; onClose: () => void }) {
  const chatId = target.chat?.id ?? null;
  const conversation = chatId === null ? undefined : snapshot.conversations.get(chatId);
  const [error, setError] = useState<string | null>(null);
  const [sentCount, setSentCount] = useState(0);

  useEffect(() => {
    if (chatId === null) return;
    store.openConversation(chatId).catch((caught: unknown) => setError(errorText(caught)));
  }, [store, chatId]);

  const pending = useMemo(() => snapshot.pending.filter((item) => isFor(item, target)), [snapshot.pending, target]);
  const readOutboxMaxId = target.chat?.readOutboxMaxId ?? 0;
  const items = useMemo(
    () => buildTimeline(conversation?.messages ?? [], pending, { selfId: snapshot.self.id, readOutboxMaxId }),
    [conversation?.messages, pending, snapshot.self.id, readOutboxMaxId],
  );

  useMarkRead(store, chatId, conversation?.messages, target.chat?.readInboxMaxId ?? 0, snapshot.self.id);

  const loadOlder = useCallback(() => {
    if (chatId === null) return;
    store.loadOlder(chatId).catch((caught: unknown) => setError(errorText(caught)));
  }, [store, chatId]);

  const isEmpty = chatId === null || (conversation?.isLoaded === true && conversation.messages.length === 0);
  // A private chat with a bot ([WEB71]).
  const client = useGroups()?.client ?? null;
  const peerUser = target.peerUserId === null ? undefined : snapshot.users.get(target.peerUserId);
  const bot = (target.chat === null || target.chat.type === 'private') && peerUser?.isBot === true ? peerUser : null;
  // Stable across renders (the target is rebuilt on every snapshot), so the bubbles need not re-render.
  const peerRef = useRef(target.peer);
  peerRef.current = target.peer;
  const sendText = useCallback(
    (text: string) => {
      setSentCount((count) => count + 1);
      store.send(peerRef.current, text).catch((caught: unknown) => setError(errorText(caught)));
    },
    [store],
  );
  return (
    <section className="conversation-pane" aria-label="Conversation">
      <ConversationActions chat={target.chat} snapshot={snapshot} onReport={setError}>
      <BotChatProvider client={client} bot={bot} onSendText={sendText}>
      <ConversationHeader target={target} snapshot={snapshot} showBack={isNarrow} onBack={onClose} />
      <EditLastOnArrowUp messages={conversation?.messages} selfId={snapshot.self.id} />
      {error !== null && (
        <p className="form-error banner" role="alert">
          {error}
        </p>
      )}
      {target.chat?.pinnedMessageId != null && (
        <PinnedMessageBar chat={target.chat} messageId={target.chat.pinnedMessageId} />
      )}
      {isEmpty && pending.length === 0 ? (
        <div className="timeline-empty">
          {bot !== null ? <BotEmptyIntro /> : <p>No messages here yet. Say hello!</p>}
        </div>
      ) : (
        <ChannelPostsProvider chat={target.chat} messages={conversation?.messages}>
        <MessageTimeline
          items={items}
          users={snapshot.users}
          chatType={target.chat?.type ?? 'private'}
          isLoadingOlder={conversation?.isLoadingOlder === true}
          isLoaded={conversation?.isLoaded === true || chatId === null}
          onNearTop={loadOlder}
          onDiscard={(randomId) => store.discardFailed(randomId)}
          scrollToBottomSignal={sentCount}
        />
        </ChannelPostsProvider>
      )}
      <UploadList targetKey={target.key} />
      <OfflineGate isReadOnly={snapshot.connection !== 'connected' && (snapshot.isChatListCached === true || conversation?.isCached === true)}>
      <PostingGate chat={target.chat}>
      <FileDropTarget target={target} />
      {bot !== null && isEmpty && pending.length === 0 ? (
        <BotStartButton />
      ) : (
      <ActionComposer store={store} target={target} onSent={() => setSentCount((count) => count + 1)} onError={setError}>
        {(composer) => (
          <BotComposer slot={composer} messages={conversation?.messages} selfId={snapshot.self.id} before={<AttachButton target={target} />} after={<VoiceRecorder target={target} />} />
        )}
      </ActionComposer>
      )}
      </PostingGate>
      </OfflineGate>
      </BotChatProvider>
      </ConversationActions>
    </section>
  );
}

function isFor(item: PendingMessage, target: ResolvedTarget): boolean {
  const { peer } = item.entry;
  if (peer.type === 'chat') return target.chat !== null && peer.chatId === target.chat.id;
  return target.peerUserId !== null && peer.userId === target.peerUserId;
}

/** Marks the conversation read up to its newest incoming message while the page is visible. */
function useMarkRead(store: ChatStore, chatId: number | null, messages: readonly { id: number; senderId: number }[] | undefined, readInboxMaxId: number, selfId: number): void {
  const [isVisible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  useEffect(() => {
    if (chatId === null || messages === undefined || !isVisible) return;
    let newest = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!;
      if (message.senderId !== selfId) {
        newest = message.id;
        break;
      }
    }
    if (newest > readInboxMaxId) store.markRead(chatId, newest).catch((error: unknown) => console.warn('read history', error));
  }, [store, chatId, messages, readInboxMaxId, selfId, isVisible]);
}
