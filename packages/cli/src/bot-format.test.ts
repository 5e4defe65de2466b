import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError, type Message, type ReplyMarkup, type User } from '@samizdat/protocol';
import { botApiRoot, defaultBotName } from './commands/bot-command.ts';
import { chooseButton, formatCallbackAnswer } from './commands/press-command.ts';
import { formatHistoryLine, formatReplyMarkup, formatUpdateLine, formatUser, formatUserLine, inlineButtons } from './format.ts';

const self: User = { id: 1, displayName: 'Me', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const echo: User = { id: 9, displayName: 'Echo', username: 'echo_bot', phone: null, isSelf: false, isContact: false, isBot: true };
const users = new Map<number, User>([
  [1, self],
  [9, echo],
]);

const yesNo: ReplyMarkup = {
  type: 'inlineKeyboard',
  rows: [
    [
      { text: 'Yes', callbackData: 'yes' },
      { text: 'No', callbackData: 'no' },
    ],
    [{ text: 'Docs', url: 'https://example.org/docs' }],
  ],
};

function message(fields: Partial<Message> & Pick<Message, 'id' | 'text'>): Message {
  return {
    chatId: 3, senderId: 9, date: 1_700_000_000, randomId: 'r', entities: [], replyToId: null, forward: null, editDate: null,
    reactions: [], views: null, signature: null, media: null, ...fields,
  };
}

test('bots are marked wherever users are named', () => {
  assert.equal(formatUser(echo), 'Echo (bot) (@echo_bot)');
  assert.equal(formatUserLine(echo), '[user 9] Echo (bot) (@echo_bot)');
  assert.equal(formatUser(self), 'Me');
});

test('inline buttons print under the message, numbered row by row, URL buttons with their url', () => {
  const line = formatHistoryLine(message({ id: 4, text: 'Pick one', replyMarkup: yesNo }), users, 1);
  const [head, ...rest] = line.split('\n');
  assert.match(head ?? '', /^#4 \S+ \S+ Echo \(bot\): Pick one$/);
  assert.deepEqual(rest, ['  [1] Yes  [2] No', '  [3] Docs <https://example.org/docs>']);
});

test('reply keyboards, their removal and force-reply print one line each', () => {
  const keyboard: ReplyMarkup = { type: 'replyKeyboard', rows: [[{ text: 'Yes' }, { text: 'No' }], [{ text: 'Later' }]], resize: true, oneTime: false, placeholder: null };
  assert.deepEqual(formatReplyMarkup(keyboard), ['  keyboard: [Yes] [No] | [Later]']);
  assert.deepEqual(formatReplyMarkup({ type: 'removeKeyboard' }), ['  keyboard removed']);
  assert.deepEqual(formatReplyMarkup({ type: 'forceReply', placeholder: 'Your city' }), ['  reply requested: Your city']);
});

test('button texts cannot drive the terminal', () => {
  const evil: ReplyMarkup = { type: 'inlineKeyboard', rows: [[{ text: 'a\u001b[2Jb', callbackData: 'x' }]] };
  assert.deepEqual(formatReplyMarkup(evil), ['  [1] a\\x1b[2Jb']);
});

test('listen shows the buttons of new and edited bot messages', () => {
  const context = { chats: new Map(), users, selfId: 1 };
  const fresh = formatUpdateLine({ type: 'newMessage', pts: 1, message: message({ id: 4, text: 'Pick', replyMarkup: yesNo }) } as never, context);
  assert.equal(fresh, '[chat 3] Echo (bot): Pick\n  [1] Yes  [2] No\n  [3] Docs <https://example.org/docs>');
  const plain = formatUpdateLine({ type: 'newMessage', pts: 2, message: message({ id: 5, text: 'hi', senderId: 1 }) } as never, context);
  assert.equal(plain, '[chat 3] You: hi');
});

test('press finds a button by exact text, by number, [n] or #n, or by text ignoring case', () => {
  const buttons = inlineButtons(yesNo);
  assert.equal(chooseButton(buttons, 'Yes', 'x').callbackData, 'yes');
  assert.equal(chooseButton(buttons, '2', 'x').callbackData, 'no');
  assert.equal(chooseButton(buttons, '[1]', 'x').callbackData, 'yes');
  assert.equal(chooseButton(buttons, '#3', 'x').url, 'https://example.org/docs');
  assert.equal(chooseButton(buttons, ' no ', 'x').callbackData, 'no');
  // A button whose text is digits is pressed by its text first.
  const digits = inlineButtons({ type: 'inlineKeyboard', rows: [[{ text: '2', callbackData: 'two' }, { text: '1', callbackData: 'one' }]] });
  assert.equal(chooseButton(digits, '1', 'x').callbackData, 'one');
  assert.throws(() => chooseButton(buttons, 'Maybe', '@echo_bot:4'), (error: unknown) => error instanceof RpcError && error.code === 'DATA_INVALID' && /\[1\] Yes {2}\[2\] No/.test(error.message));
  assert.throws(() => chooseButton(buttons, '7', 'x'), (error: unknown) => error instanceof RpcError && error.code === 'DATA_INVALID');
  assert.throws(() => chooseButton([], '1', 'x'), (error: unknown) => error instanceof RpcError && error.code === 'DATA_INVALID');
});

test('press prints the notice, ALERT: for an alert, and a url', () => {
  assert.deepEqual(formatCallbackAnswer({ message: 'You chose yes', alert: false, url: null }), ['You chose yes']);
  assert.deepEqual(formatCallbackAnswer({ message: 'Careful', alert: true, url: null }), ['ALERT: Careful']);
  assert.deepEqual(formatCallbackAnswer({ message: null, alert: false, url: 'https://example.org' }), ['https://example.org']);
  assert.deepEqual(formatCallbackAnswer({ message: null, alert: false, url: null }), []);
});

test('bot create names the bot after its username, and its Bot API root', () => {
  assert.equal(defaultBotName('@Weather_Bot'), 'Weather');
  assert.equal(defaultBotName('echobot'), 'echo');
  assert.equal(defaultBotName('bot'), 'bot');
  assert.equal(botApiRoot('http://127.0.0.1:8080', 'abc:def'), 'http://127.0.0.1:8080/botabc:def/');
});
