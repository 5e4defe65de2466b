import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chat, Message, User } from '@samizdat/protocol';
import { formatChatLine, formatHistoryLine, formatMemberLine, formatTypingLine, formatUpdateLine } from './format.ts';

const self: User = { id: 1, displayName: 'Me', username: null, phone: null, isSelf: true, isContact: false, isBot: false };
const bob: User = { id: 2, displayName: 'Bob', username: 'bobby', phone: null, isSelf: false, isContact: true, isBot: false };
const users = new Map<number, User>([
  [1, self],
  [2, bob],
]);

function chat(fields: Partial<Chat> & Pick<Chat, 'id' | 'type'>): Chat {
  return {
    peerUserId: null, title: null, about: '', username: null, memberCount: 0, pts: 0, topMessage: null, unreadCount: 0,
    readInboxMaxId: 0, readOutboxMaxId: 0, myRole: 'member', myRights: null, myMutedUntil: null, pinnedMessageId: null,
    slowModeSeconds: 0, hasSignatures: false, hasNoForwards: false, linkedChatId: null, lastActivityDate: 0, mutedUntil: null, draft: null, blocked: null, pinnedAt: null,
    ...fields,
  };
}

function message(fields: Partial<Message> & Pick<Message, 'id' | 'text'>): Message {
  return {
    chatId: 5, senderId: 2, date: 1_700_000_000, randomId: 'r', entities: [], replyToId: null, forward: null, editDate: null,
    reactions: [], views: null, signature: null, media: null, ...fields,
  };
}

const team = chat({ id: 5, type: 'group', title: 'Team\u001b[31m', memberCount: 3 });
const news = chat({ id: 7, type: 'channel', title: 'News', username: 'news_room', memberCount: 1 });

test('chats lines show groups and channels with title, username and member count', () => {
  const withTop = { ...team, unreadCount: 2, topMessage: message({ id: 4, text: 'hi' }) };
  assert.equal(formatChatLine(withTop, users, 1), '[group 5 "Team\\x1b[31m"] · 3 members · 2 unread · Bob: hi');
  assert.equal(formatChatLine(news, users, 1), '[channel 7 "News"] @news_room · 1 subscriber');
  assert.equal(formatChatLine(chat({ id: 3, type: 'private', peerUserId: 2 }), users, 1), '[chat 3] Bob (@bobby)');
});

test('a chat moderators blocked shows its notice in the chats line', () => {
  const blocked = { ...news, blocked: { category: 'terrorism' as const, notice: "This channel can't be displayed because it was used to spread terrorist propaganda\u001b" } };
  assert.equal(
    formatChatLine(blocked, users, 1),
    '[channel 7 "News"] @news_room · 1 subscriber · blocked: This channel can\'t be displayed because it was used to spread terrorist propaganda\\x1b',
  );
});

test('history lines mark forwards, replies, edits, the pin, reactions and views', () => {
  const marked = message({
    id: 12,
    text: 'hello',
    replyToId: 3,
    forward: { fromChatId: 7, fromMessageId: 1, fromUserId: null, fromName: 'News', date: 1_700_000_000 },
    editDate: 1_700_000_100,
    reactions: [
      { emoji: '👍', count: 2 },
      { emoji: '❤️', count: 1 },
    ],
    views: 5,
  });
  assert.match(
    formatHistoryLine(marked, users, 1, { pinnedMessageId: 12 }),
    /^#12 \d{4}-\d\d-\d\d \d\d:\d\d Bob \[forwarded from News\] \[reply to #3\] \[edited\] \[pinned\] \[👍 2 ❤️ 1\] \[5 views\]: hello$/,
  );
  assert.match(formatHistoryLine(message({ id: 13, text: 'plain', senderId: 1 }), users, 1), /^#13 \S+ \S+ You: plain$/);
});

test('listen lines name the group or channel of every kind of update', () => {
  const context = { chats: new Map([[5, team], [7, news]]), users, selfId: 1 };
  assert.equal(formatUpdateLine({ type: 'newMessage', pts: 1, message: message({ id: 4, text: 'hi', chatId: 7 }) }, context), '[channel 7 "News"] Bob: hi');
  assert.equal(
    formatUpdateLine({ type: 'newMessage', pts: 1, message: message({ id: 5, text: 'yes', replyToId: 4 }) }, context),
    '[group 5 "Team\\x1b[31m"] Bob [reply to #4]: yes',
  );
  assert.equal(formatUpdateLine({ type: 'deleteMessages', pts: 2, chatId: 9, messageIds: [4, 5] }, context), '[chat 9] deleted #4, #5');
  assert.equal(
    formatUpdateLine({ type: 'messageReactions', pts: 3, chatId: 7, messageId: 4, reactions: [{ emoji: '🔥', count: 3 }] }, context),
    '[channel 7 "News"] reactions on #4: 🔥 3',
  );
  assert.equal(formatUpdateLine({ type: 'pinnedMessage', pts: 4, chatId: 7, messageId: null }, context), '[channel 7 "News"] unpinned the pinned message');
  const member = { userId: 2, role: 'admin' as const, rights: null, mutedUntil: null, joinedAt: 1 };
  assert.equal(formatUpdateLine({ type: 'chatMember', pts: 5, chatId: 5, userId: 2, member }, context), '[group 5 "Team\\x1b[31m"] Bob is now an admin');
  assert.equal(formatUpdateLine({ type: 'chatMember', pts: 6, chatId: 5, userId: 1, member: null }, context), '[group 5 "Team\\x1b[31m"] you left or were removed');
  assert.equal(formatUpdateLine({ type: 'chatJoined', pts: 7, chatId: 7, chatPts: 3 }, context), '[channel 7 "News"] you joined');
  assert.equal(
    formatUpdateLine({ type: 'newMessage', pts: 8, message: message({ id: 6, text: 'post', chatId: 7, views: 0 }) }, context),
    '[channel 7 "News"] Bob: post',
  );
  assert.equal(formatTypingLine({ type: 'typing', chatId: 5, userId: 2, action: 'typing', expiresAt: 1 }, context), '[group 5 "Team\\x1b[31m"] Bob is typing');
});

test('member lines show the role and an admin\'s rights', () => {
  const rights = { changeInfo: false, deleteMessages: true, banUsers: true, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: false };
  assert.equal(formatMemberLine({ userId: 2, role: 'admin', rights, mutedUntil: null, joinedAt: 1 }, bob), '[user 2] Bob (@bobby) · admin: deleteMessages, banUsers');
  assert.equal(formatMemberLine({ userId: 9, role: 'owner', rights: null, mutedUntil: null, joinedAt: 1 }, undefined), '[user 9] · owner');
});

test('history and listen lines show a file with its kind, size and name, and a caption only when there is one', () => {
  const file = { id: 'f1', size: 1536, mimeType: 'image/png', name: 'cat\u001b.png', sha256: '0'.repeat(64) };
  const photo = message({ id: 9, text: '', media: { kind: 'photo', file, width: 640, height: 480, duration: null, waveform: null, thumbnail: null } });
  assert.equal(formatHistoryLine(photo, users, 1).replace(/^#9 \S+ \S+ /, ''), 'Bob [photo 640×480 cat\\x1b.png, 1.5 KiB]');
  const voice = message({ id: 10, text: 'listen', media: { kind: 'voice', file: { ...file, size: 12_288 }, width: null, height: null, duration: 7, waveform: null, thumbnail: null } });
  assert.equal(formatUpdateLine({ type: 'newMessage', pts: 1, message: voice }, { chats: new Map([[5, team]]), users, selfId: 1 }), '[group 5 "Team\\x1b[31m"] Bob [voice 0:07, 12.0 KiB]: listen');
});
