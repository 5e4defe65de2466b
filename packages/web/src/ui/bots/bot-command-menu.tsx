import type { BotCommand } from '@samizdat/protocol';
import { useEffect, useRef, useState } from 'react';
import { commandSuggestions } from '../../model/bot-markup.ts';
import { IconButton } from '../common/icon-button.tsx';
import { useBotChat } from './bot-chat-context.ts';
import { SlashIcon } from './bot-icons.tsx';

/**
 * The "/" button beside a bot chat's composer ([WEB71]): opens the bot's command list
 * (`bots.getInfo`, asked again on every opening); choosing a command sends `/command`. Arrow keys
 * move in the list, Esc and a click outside close it.
 */
export function BotCommandMenu() {
  const bots = useBotChat();
  const [isOpen, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!isOpen) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    requestAnimationFrame(() => rootRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus());
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [isOpen]);
  if (bots === null || bots.bot === null || bots.commands.length === 0) return null;
  const { commands } = bots;
  return (
    <div className="bot-menu" ref={rootRef}>
      <IconButton
        label="Bot commands"
        className="bot-menu-button"
        aria-haspopup="menu"
        aria-expanded={isOpen}
        onClick={() => {
          if (!isOpen) bots.reloadCommands();
          setOpen(!isOpen);
        }}
      >
        <SlashIcon />
      </IconButton>
      {isOpen && (
        <div
          className="bot-command-list"
          role="menu"
          aria-label="Bot commands"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              setOpen(false);
              rootRef.current?.querySelector<HTMLElement>('.bot-menu-button')?.focus();
              return;
            }
            if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
            event.preventDefault();
            const items = [...(rootRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
            const at = items.indexOf(document.activeElement as HTMLElement);
            items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
          }}
        >
          {commands.map((command) => (
            <CommandRow
              key={command.command}
              command={command}
              role="menuitem"
              onPick={() => {
                setOpen(false);
                bots.sendText(`/${command.command}`);
              }}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/**
 * The commands matching what the composer holds after "/" ([WEB71]); a click sends one. From the
 * composer, ↑/↓ move the highlight (the first at the start), Enter sends the highlighted command and
 * Esc hides the suggestions until the text changes.
 */
export function CommandSuggestions({ commands, text, onPick }: { commands: readonly BotCommand[]; text: string; onPick: (command: BotCommand) => void }) {
  const matches = commandSuggestions(commands, text);
  const [highlight, setHighlight] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const isShown = matches.length > 0 && dismissedAt !== text;
  const at = Math.min(highlight, matches.length - 1);
  const picked = isShown ? matches[at] : undefined;
  useEffect(() => setHighlight(0), [text]);
  useEffect(() => {
    if (picked === undefined) return;
    // Before React's own handlers (on the root), so that Enter picks instead of sending the text.
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.target instanceof HTMLTextAreaElement) || !event.target.classList.contains('composer-input') || event.isComposing) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') setHighlight((at + (event.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      else if (event.key === 'Enter' && !event.shiftKey) onPick(picked);
      else if (event.key === 'Escape') setDismissedAt(text);
      else return;
      event.preventDefault();
      event.stopPropagation();
    };
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, [picked, at, matches.length, onPick, text]);
  if (!isShown) return null;
  return (
    <div className="bot-command-list suggestions" role="group" aria-label="Command suggestions">
      {matches.map((command, index) => (
        <CommandRow key={command.command} command={command} isHighlighted={index === at} onPick={() => onPick(command)} />
      ))}
    </div>
  );
}

function CommandRow({ command, role, isHighlighted = false, onPick }: { command: BotCommand; role?: 'menuitem'; isHighlighted?: boolean; onPick: () => void }) {
  return (
    <button type="button" className={`bot-command ${isHighlighted ? 'is-highlighted' : ''}`} {...(role === undefined ? {} : { role })} tabIndex={role === undefined ? -1 : 0} onClick={onPick}>
      <span className="bot-command-name">/{command.command}</span>
      <span className="bot-command-description">{command.description}</span>
    </button>
  );
}
