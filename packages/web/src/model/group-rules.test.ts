import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdminRights, Chat, ChatMember, User } from '@samizdat/protocol';
import { canManage, canPost, defaultAdminRights, formatViews, hasRight, memberCandidates, parseInviteHash, sortMembers } from './group-rules.ts';

const NO_RIGHTS: AdminRights = { changeInfo: false, deleteMessages: false, banUsers: false, inviteUsers: false, pinMessages: false, addAdmins: false, postMessages: false };

function member(userId: number, role: ChatMember['role'], joinedAt = 100): ChatMember {
  return { userId, role, rights: null, mutedUntil: null, joinedAt };
}

function user(id: number): User {
  return { id, displayName: `User ${id}`, username: null, phone: null, isSelf: false, isContact: false, isBot: false };
}

test('[WEB31] only the owner and admins with postMessages may post in a channel; any member in a group', () => {
  assert.equal(canPost({ type: 'channel', myRole: 'member', myRights: null }), false);
  assert.equal(canPost({ type: 'channel', myRole: null, myRights: null }), false);
  assert.equal(canPost({ type: 'channel', myRole: 'owner', myRights: null }), true);
  assert.equal(canPost({ type: 'channel', myRole: 'admin', myRights: { ...NO_RIGHTS, postMessages: true } }), true);
  assert.equal(canPost({ type: 'channel', myRole: 'admin', myRights: NO_RIGHTS }), false);
  assert.equal(canPost({ type: 'group', myRole: 'member', myRights: null }), true);
  assert.equal(canPost({ type: 'group', myRole: null, myRights: null }), false);
  assert.equal(canPost({ type: 'private', myRole: 'member', myRights: null }), true);
  assert.equal(canPost(null), true);
});

test('[WEB34] an admin proposes only rights they hold; the owner holds all of them', () => {
  const owner = defaultAdminRights({ type: 'group' }, { myRole: 'owner', myRights: null });
  assert.equal(owner.banUsers, true);
  assert.equal(owner.addAdmins, false);
  assert.equal(owner.postMessages, false);
  const admin = defaultAdminRights({ type: 'channel' }, { myRole: 'admin', myRights: { ...NO_RIGHTS, postMessages: true, addAdmins: true } });
  assert.deepEqual(admin, { ...NO_RIGHTS, postMessages: true });
  assert.equal(hasRight({ myRole: 'owner', myRights: null }, 'addAdmins'), true);
  assert.equal(hasRight({ myRole: 'member', myRights: { ...NO_RIGHTS, addAdmins: true } }, 'addAdmins'), false);
});

test('[WEB33] members list owner, then admins, then members; nobody manages themself or the owner', () => {
  const sorted = sortMembers([member(3, 'member', 50), member(2, 'admin', 200), member(1, 'owner', 300), member(4, 'member', 10)]);
  assert.deepEqual(sorted.map((m) => m.userId), [1, 2, 4, 3]);
  const owner = { myRole: 'owner' as const, myRights: null };
  const admin = { myRole: 'admin' as const, myRights: { ...NO_RIGHTS, banUsers: true } };
  assert.equal(canManage(owner, member(2, 'admin'), 1), true);
  assert.equal(canManage(owner, member(1, 'owner'), 1), false);
  assert.equal(canManage(admin, member(2, 'admin'), 5), false);
  assert.equal(canManage(admin, member(3, 'member'), 5), true);
  assert.equal(canManage(admin, member(5, 'member'), 5), false);
  assert.equal(canManage({ myRole: 'member', myRights: null }, member(3, 'member'), 5), false);
});

test('[WEB35] invite links are recognised in their usual spellings', () => {
  assert.equal(parseInviteHash('http://127.0.0.1:8080/+AbCdEf_123-xyz'), 'AbCdEf_123-xyz');
  assert.equal(parseInviteHash('+AbCdEf_123-xyz'), 'AbCdEf_123-xyz');
  assert.equal(parseInviteHash('https://t.example/joinchat/AbCdEf_123'), 'AbCdEf_123');
  assert.equal(parseInviteHash('@some_channel'), null);
  assert.equal(parseInviteHash('+1 555 0100'), null);
  assert.equal(parseInviteHash('+9996680008'), null, 'a phone number is not an invite link');
});

test('[WEB30] member candidates are the private chats\' people then contacts, each once, never oneself', () => {
  const users = new Map([1, 2, 3].map((id) => [id, user(id)]));
  const chats = [{ type: 'private', peerUserId: 3 }, { type: 'group', peerUserId: null }, { type: 'private', peerUserId: 1 }] as Chat[];
  const picked = memberCandidates({ chats, users, contacts: [user(2), user(3), user(4)], selfId: 1 });
  assert.deepEqual(picked.map((u) => u.id), [3, 2, 4]);
});

test('[WEB32] view counts read as people say them', () => {
  assert.equal(formatViews(0), '0 views');
  assert.equal(formatViews(1), '1 view');
  assert.equal(formatViews(1234), '1.2K views');
  assert.equal(formatViews(250_000), '250K views');
  assert.equal(formatViews(3_000_000), '3M views');
});
