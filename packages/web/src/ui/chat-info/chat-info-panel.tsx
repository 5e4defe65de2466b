import type { Chat, ChatMember } from '@samizdat/protocol';
import { useMemo, useState } from 'react';
import type { AppSnapshot } from '../../model/chat-store.ts';
import { chatTitle, userName } from '../../model/format.ts';
import { hasRight, isAdmin } from '../../model/group-rules.ts';
import { Avatar } from '../common/avatar.tsx';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import type { GroupsActions } from '../groups/groups-context.ts';
import { AddMembersForm } from './add-members-form.tsx';
import { EditInfoForm } from './edit-info-form.tsx';
import { InviteLinks } from './invite-links.tsx';
import { LinkedChatField } from './linked-chat-field.tsx';
import { MemberRow, type MemberAction } from './member-row.tsx';
import { useChatMembers } from './use-chat-members.ts';
import './chat-info.css';

/**
 * The chat info panel, opened from the conversation header ([WEB34]): title, about, username and
 * size; the members with their roles; and, by the viewer's rights, the admin's tools: add
 * members, promote with rights, remove and ban, edit the info and the public username, invite
 * links. Every member may leave. The panel follows the chat live: the store refetches the chat on
 * its sequence's `chatUpdated`/`chatMember`, and the member list reloads on them.
 */
export function ChatInfoPanel({ actions, snapshot, chatId, onClose }: { actions: GroupsActions; snapshot: AppSnapshot; chatId: number; onClose: () => void }) {
  const chat = snapshot.chats.find((candidate) => candidate.id === chatId);
  const title = chat === undefined ? 'Info' : chat.type === 'channel' ? 'Channel info' : chat.type === 'group' ? 'Group info' : 'User info';
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="chat-info">
        {chat === undefined ? (
          <p className="field-hint">You are no longer in this chat.</p>
        ) : chat.type === 'private' ? (
          <PrivateInfo chat={chat} snapshot={snapshot} />
        ) : (
          <GroupInfo actions={actions} chat={chat} snapshot={snapshot} onClose={onClose} />
        )}
      </div>
    </Dialog>
  );
}

function PrivateInfo({ chat, snapshot }: { chat: Chat; snapshot: AppSnapshot }) {
  const user = chat.peerUserId === null ? undefined : snapshot.users.get(chat.peerUserId);
  return (
    <div className="info-head">
      <Avatar id={chat.peerUserId ?? chat.id} name={userName(user)} size={72} />
      <p className="info-title">{chatTitle(chat, snapshot.users, snapshot.self.id)}</p>
      {user?.username != null && <p className="info-sub">@{user.username}</p>}
      {user?.phone != null && <p className="info-sub">{user.phone}</p>}
    </div>
  );
}

function GroupInfo({ actions, chat, snapshot, onClose }: { actions: GroupsActions; chat: Chat; snapshot: AppSnapshot; onClose: () => void }) {
  const { client, store } = actions;
  const members = useChatMembers(client, chat);
  const [isAdding, setAdding] = useState(false);
  const [isEditing, setEditing] = useState(false);
  const [isLeaving, setLeaving] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const memberIds = useMemo(() => new Set(members.members.map((member) => member.userId)), [members.members]);
  const noun = chat.type === 'channel' ? 'channel' : 'group';
  const countNoun = chat.type === 'channel' ? (chat.memberCount === 1 ? 'subscriber' : 'subscribers') : chat.memberCount === 1 ? 'member' : 'members';
  const canAdd = chat.type === 'group' ? chat.myRole !== null : hasRight(chat, 'inviteUsers');

  async function act(member: ChatMember, action: MemberAction): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      switch (action.kind) {
        case 'setAdmin':
          await client.call('chats.setAdmin', { chatId: chat.id, userId: member.userId, rights: action.rights });
          break;
        case 'remove':
          await client.call('chats.removeMember', { chatId: chat.id, userId: member.userId });
          break;
        case 'ban':
          await client.call('chats.ban', { chatId: chat.id, userId: member.userId, untilDate: null });
          break;
      }
      members.reload();
      return true;
    } catch (caught) {
      setError(errorText(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function leave(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await client.call('chats.leave', { chatId: chat.id });
      await store.refreshChats();
      onClose();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <>
      <div className="info-head">
        <Avatar id={chat.id} name={chat.title ?? ''} size={72} />
        <p className="info-title">{chat.title}</p>
        <p className="info-sub">
          {chat.memberCount} {countNoun}
          {isAdmin(chat) && <span className={`role-badge role-${chat.myRole}`}>you are {chat.myRole}</span>}
        </p>
      </div>
      {chat.about !== '' && (
        <p className="info-about" dir="auto">
          {chat.about}
        </p>
      )}
      {chat.username !== null && (
        <p className="info-username">
          <span className="info-label">Public link</span> @{chat.username}
        </p>
      )}
      {hasRight(chat, 'changeInfo') && (
        <section className="info-section" aria-label="Edit info">
          <button type="button" className="plain-button" aria-expanded={isEditing} onClick={() => setEditing(!isEditing)}>
            Edit {noun} info
          </button>
          {isEditing && <EditInfoForm client={client} chat={chat} canSetUsername={chat.myRole === 'owner'} />}
          {chat.type === 'channel' && <LinkedChatField client={client} chat={chat} snapshot={snapshot} />}
        </section>
      )}
      {hasRight(chat, 'inviteUsers') && <InviteLinks client={client} chat={chat} />}
      <section className="info-section" aria-label="Members">
        <div className="info-section-head">
          <h3>{members.isAdminsOnly ? 'Admins' : chat.type === 'channel' ? 'Subscribers' : 'Members'}</h3>
          {canAdd && (
            <button type="button" className="link-button" aria-expanded={isAdding} onClick={() => setAdding(!isAdding)}>
              Add members
            </button>
          )}
        </div>
        {isAdding && (
          <AddMembersForm
            client={client}
            chat={chat}
            snapshot={snapshot}
            memberIds={memberIds}
            onDone={() => {
              setAdding(false);
              members.reload();
            }}
          />
        )}
        <FormError error={members.error} />
        <ul className="member-list" aria-label="Member list">
          {members.members.map((member) => (
            <MemberRow
              key={member.userId}
              chat={chat}
              member={member}
              user={members.users.get(member.userId) ?? snapshot.users.get(member.userId)}
              selfId={snapshot.self.id}
              isBusy={isBusy}
              onAction={(action) => act(member, action)}
            />
          ))}
        </ul>
        {!members.isAdminsOnly && members.count > members.members.length && <p className="field-hint">and {members.count - members.members.length} more</p>}
      </section>
      <FormError error={error} />
      {chat.myRole !== null &&
        (isLeaving ? (
          <div className="button-row">
            <button type="button" className="danger-button" disabled={isBusy} onClick={() => void leave()}>
              Yes, leave the {noun}
            </button>
            <button type="button" className="plain-button" onClick={() => setLeaving(false)}>
              Stay
            </button>
          </div>
        ) : (
          <button type="button" className="danger-button" onClick={() => setLeaving(true)}>
            Leave {noun}
          </button>
        ))}
    </>
  );
}
