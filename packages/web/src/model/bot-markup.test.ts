import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message, ReplyMarkup } from '@samizdat/protocol';
import {
  BOT_NO_RESPONSE,
  botUsernameProblem,
  activeReplyKeyboard,
  afterKeyboardPress,
  callbackErrorText,
  commandSuggestions,
  composerPlaceholder,
  forceReplyTarget,
  inlineAction,
  isReplyKeyboardShown,
  keyboardTexts,
  safeExternalUrl,
} from './bot-markup.ts';

const SELF = 1;
const BOT = 2;

function message(id: number, senderId: number, replyMarkup?: ReplyMarkup): Message {
  return {
    chatId: 1, id, senderId, date: 1000 + id, text: `m${id}`, randomId: `r${id}`, entities: [], replyToId: null, forward: null, editDate: null, reactions: [], views: null, signature: null, media: null,
    ...(replyMarkup === undefined ? {} : { replyMarkup }),
  };
}

const yesNo: ReplyMarkup = { type: 'replyKeyboard', rows: [[{ text: 'Yes' }, { text: 'No' }]], resize: true, oneTime: false, placeholder: 'Pick one' };
const once: ReplyMarkup = { type: 'replyKeyboard', rows: [[{ text: 'Once' }]], resize: false, oneTime: true, placeholder: null };

test('[WEB69] the newest reply keyboard of the bot is in force; later messages without markup and the user’s own leave it', () => {
  assert.equal(activeReplyKeyboard([], SELF), null);
  assert.equal(activeReplyKeyboard([message(1, BOT), message(2, SELF)], SELF), null);
  const active = activeReplyKeyboard([message(1, BOT, yesNo), message(2, SELF), message(3, BOT), message(4, SELF)], SELF);
  assert.equal(active?.messageId, 1);
  assert.deepEqual(keyboardTexts(active!.keyboard), [['Yes', 'No']]);
  // A newer keyboard replaces it.
  assert.equal(activeReplyKeyboard([message(1, BOT, yesNo), message(2, BOT, once)], SELF)?.messageId, 2);
  // Inline keyboards and forced replies do not touch it.
  const inline: ReplyMarkup = { type: 'inlineKeyboard', rows: [[{ text: 'A', callbackData: 'a' }]] };
  assert.equal(activeReplyKeyboard([message(1, BOT, yesNo), message(2, BOT, inline), message(3, BOT, { type: 'forceReply', placeholder: null })], SELF)?.messageId, 1);
});

test('[WEB69] removeKeyboard takes the keyboard away until a new one comes', () => {
  assert.equal(activeReplyKeyboard([message(1, BOT, yesNo), message(2, BOT, { type: 'removeKeyboard' })], SELF), null);
  assert.equal(activeReplyKeyboard([message(1, BOT, yesNo), message(2, BOT, { type: 'removeKeyboard' }), message(3, BOT, once)], SELF)?.messageId, 3);
});

test('[WEB69] a oneTime keyboard hides after one press, the toggle brings it back, and a new keyboard starts shown', () => {
  const active = activeReplyKeyboard([message(1, BOT, once)], SELF)!;
  assert.equal(isReplyKeyboardShown(active, null), true);
  const view = afterKeyboardPress(active);
  assert.deepEqual(view, { messageId: 1, isHidden: true });
  assert.equal(isReplyKeyboardShown(active, view), false);
  assert.equal(isReplyKeyboardShown(active, { messageId: 1, isHidden: false }), true);
  const next = activeReplyKeyboard([message(1, BOT, once), message(2, BOT, once)], SELF)!;
  assert.equal(isReplyKeyboardShown(next, view), true);
  // A keyboard that is not oneTime stays after a press.
  assert.equal(afterKeyboardPress(activeReplyKeyboard([message(1, BOT, yesNo)], SELF)!), null);
  assert.equal(isReplyKeyboardShown(null, null), false);
});

test('[WEB69] [WEB70] the placeholder comes from the forced reply, else the shown keyboard, else "Message"', () => {
  const active = activeReplyKeyboard([message(1, BOT, yesNo)], SELF);
  assert.equal(composerPlaceholder(active, true, null), 'Pick one');
  assert.equal(composerPlaceholder(active, false, null), 'Message');
  assert.equal(composerPlaceholder(null, false, null), 'Message');
  const forced = message(2, BOT, { type: 'forceReply', placeholder: 'Your name' });
  assert.equal(composerPlaceholder(active, true, forced), 'Your name');
});

test('[WEB70] a forced reply applies while the bot’s message asking for it is the newest', () => {
  const forced = message(2, BOT, { type: 'forceReply', placeholder: null });
  assert.equal(forceReplyTarget([message(1, SELF), forced], SELF)?.id, 2);
  assert.equal(forceReplyTarget([forced, message(3, SELF)], SELF), null);
  assert.equal(forceReplyTarget([forced, message(3, BOT)], SELF), null);
  assert.equal(forceReplyTarget([], SELF), null);
});

test('[WEB71] typing "/" suggests the bot’s commands that start with what follows, until a space', () => {
  const commands = [
    { command: 'start', description: 'Start' },
    { command: 'help', description: 'Help' },
    { command: 'settings', description: 'Settings' },
  ];
  assert.deepEqual(commandSuggestions(commands, '/').map((c) => c.command), ['start', 'help', 'settings']);
  assert.deepEqual(commandSuggestions(commands, '/s').map((c) => c.command), ['start', 'settings']);
  assert.deepEqual(commandSuggestions(commands, '/SE').map((c) => c.command), ['settings']);
  assert.deepEqual(commandSuggestions(commands, '/help'), [], 'a complete command needs no suggestion');
  assert.deepEqual(commandSuggestions(commands, '/s x'), []);
  assert.deepEqual(commandSuggestions(commands, 'hi /s'), []);
  assert.deepEqual(commandSuggestions(commands, ''), []);
});

test('[WEB68] an inline button asks the bot with its data, or opens its URL when it is safe', () => {
  assert.deepEqual(inlineAction({ text: 'Yes', callbackData: 'yes' }), { kind: 'callback', data: 'yes' });
  assert.deepEqual(inlineAction({ text: 'Site', url: 'https://example.org/a?b=1' }), { kind: 'url', url: 'https://example.org/a?b=1' });
  assert.deepEqual(inlineAction({ text: 'Bare', url: 'example.org' }), { kind: 'url', url: 'https://example.org/' });
  assert.deepEqual(inlineAction({ text: 'Bad', url: 'javascript:alert(1)' }), { kind: 'none' });
  assert.equal(safeExternalUrl('data:text/html,hi'), null);
  assert.equal(safeExternalUrl('mailto:a@b.org'), 'mailto:a@b.org');
  assert.equal(safeExternalUrl('  '), null);
});

test('[WEB68] a bot that never answers a press reads "The bot did not respond"', () => {
  assert.equal(callbackErrorText('BOT_RESPONSE_TIMEOUT', 'x'), BOT_NO_RESPONSE);
  assert.equal(callbackErrorText('REQUEST_TIMEOUT', 'x'), BOT_NO_RESPONSE);
  assert.equal(callbackErrorText('DATA_INVALID', 'x'), 'This button is no longer available');
  assert.equal(callbackErrorText('OTHER', 'Something failed'), 'Something failed');
  assert.equal(callbackErrorText(null, 'Something failed'), 'Something failed');
});

test('[WEB73] a new bot’s username must end in "bot" and be a valid username', () => {
  assert.equal(botUsernameProblem('tetris_bot'), null);
  assert.equal(botUsernameProblem('TetrisBot'), null);
  assert.match(botUsernameProblem('tetris') ?? '', /end in “bot”/);
  assert.match(botUsernameProblem('bot') ?? '', /5–32/);
  assert.match(botUsernameProblem('1tetris_bot') ?? '', /starts with a letter/);
  assert.match(botUsernameProblem('my-bot') ?? '', /letters, digits or underscores/);
});
