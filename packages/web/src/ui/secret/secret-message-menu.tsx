import type { SecretMessage } from '@samizdat/client';
import { MessageMenuShell, type MessageMenuItem } from '../conversation/actions/message-menu-shell.tsx';

/** What the secret menu's items do; each closes the menu first. */
export interface SecretMenuHandlers {
  onReply: () => void;
  onEdit: () => void;
  onCopy: () => void;
  onDelete: () => void;
  onReact: (emoji: string) => void;
  onClose: () => void;
}

/**
 * The menu of a secret chat's message ([WEB48]): the reactions, Reply, Edit (own messages), Copy
 * text and Delete (for both users, everywhere). It never offers Forward: nothing leaves a secret
 * chat for a cloud chat. It shares its frame with the cloud chats' menu ([WEB10]) so both look
 * and behave alike.
 */
export function SecretMessageMenu(props: { message: SecretMessage; point: { x: number; y: number }; isOwn: boolean; ownReaction: string | undefined } & SecretMenuHandlers) {
  const items: MessageMenuItem[] = [{ key: 'reply', label: 'Reply', onSelect: props.onReply }];
  if (props.isOwn) items.push({ key: 'edit', label: props.message.file === undefined ? 'Edit' : 'Edit caption', onSelect: props.onEdit });
  if (props.message.text !== '') items.push({ key: 'copy', label: 'Copy text', onSelect: props.onCopy });
  items.push({ key: 'delete', label: 'Delete', onSelect: props.onDelete, className: 'danger' });

  return <MessageMenuShell point={props.point} className="secret-message-menu" onReact={props.onReact} ownReaction={props.ownReaction} items={items} onClose={props.onClose} />;
}
