import type { Message } from '@samizdat/protocol';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  activeReplyKeyboard,
  afterKeyboardPress,
  composerPlaceholder,
  forceReplyTarget,
  isReplyKeyboardShown,
  type ReplyKeyboardView,
} from '../../model/bot-markup.ts';
import { IconButton } from '../common/icon-button.tsx';
import type { ComposerSlotProps } from '../conversation/actions/action-composer.tsx';
import { useConversationActions } from '../conversation/actions/actions-context.ts';
import { Composer } from '../conversation/composer.tsx';
import { BotCommandMenu, CommandSuggestions } from './bot-command-menu.tsx';
import { useBotChat } from './bot-chat-context.ts';
import { KeyboardIcon } from './bot-icons.tsx';
import { ReplyKeyboardPanel } from './reply-keyboard.tsx';

/**
 * The composer with what bots add ([WEB69]–[WEB71]): the reply keyboard in force over it (with a
 * toggle to hide and show it; a `oneTime` one hides after a press), its placeholder, reply mode
 * for a forced reply, the "/" command menu and the command suggestions while the text is "/…".
 */
export function BotComposer({ slot, messages, selfId, before, after }: { slot: ComposerSlotProps; messages: readonly Message[] | undefined; selfId: number; before: ReactNode; after: ReactNode }) {
  const bots = useBotChat();
  const context = useConversationActions();
  const list = messages ?? NO_MESSAGES;
  const active = useMemo(() => activeReplyKeyboard(list, selfId), [list, selfId]);
  const forced = useMemo(() => forceReplyTarget(list, selfId), [list, selfId]);
  const [view, setView] = useState<ReplyKeyboardView | null>(null);
  const isShown = isReplyKeyboardShown(active, view);

  // A bot's forced reply puts the composer in reply mode to its message, once ([WEB70]).
  const handledForce = useRef<number | null>(null);
  const setMode = context?.setMode;
  useEffect(() => {
    if (forced === null || setMode === undefined || handledForce.current === forced.id) return;
    handledForce.current = forced.id;
    setMode({ kind: 'reply', message: forced });
  }, [forced, setMode]);
  const isForcedMode = forced !== null && context?.mode?.kind === 'reply' && context.mode.message.id === forced.id;

  const commands = bots?.bot != null ? bots.commands : NO_COMMANDS;
  return (
    <>
      {active !== null && isShown && bots !== null && (
        <ReplyKeyboardPanel
          keyboard={active.keyboard}
          onPress={(text) => {
            bots.sendText(text);
            setView(afterKeyboardPress(active));
          }}
        />
      )}
      <Composer
        key={slot.composerKey}
        initialText={slot.initialText}
        onDraftChange={slot.onDraftChange}
        onSend={slot.onSend}
        onEscape={slot.onEscape}
        placeholder={composerPlaceholder(active, isShown, isForcedMode ? forced : null)}
        assist={commands.length === 0 ? undefined : (text, submit) => <CommandSuggestions commands={commands} text={text} onPick={(command) => submit(`/${command.command}`)} />}
        before={
          <>
            <BotCommandMenu />
            {before}
          </>
        }
        inside={
          active === null ? null : (
            <IconButton
              label={isShown ? 'Hide bot keyboard' : 'Show bot keyboard'}
              className={`bot-keyboard-toggle ${isShown ? 'is-on' : ''}`}
              aria-pressed={isShown}
              onClick={() => setView({ messageId: active.messageId, isHidden: isShown })}
            >
              <KeyboardIcon />
            </IconButton>
          )
        }
        after={after}
      />
    </>
  );
}

const NO_MESSAGES: readonly Message[] = [];
const NO_COMMANDS: readonly never[] = [];
