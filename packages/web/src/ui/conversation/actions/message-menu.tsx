import type { Message } from '@samizdat/protocol';
import type { MessagePermissions } from '../../../model/message-actions.ts';
import { MessageMenuShell, type MessageMenuItem } from './message-menu-shell.tsx';

/** What the menu's items do; each closes the menu first. */
export interface MessageMenuHandlers {
  onReply: () => void;
  onEdit: () => void;
  onCopy: () => void;
  onForward: () => void;
  onPin: () => void;
  onDelete: () => void;
  onReact: (emoji: string) => void;
  onClose: () => void;
}

/**
 * A message's context menu at a point of the window: a row of reactions, then Reply, Edit, Copy,
 * Forward, Pin and Delete as the viewer's rights allow. Placement, keys and closing are the
 * shell's.
 */
export function MessageMenu(props: { message: Message; point: { x: number; y: number }; permissions: MessagePermissions; isPinned: boolean; ownReaction: string | undefined } & MessageMenuHandlers) {
  const { permissions } = props;
  const items: MessageMenuItem[] = [{ key: 'reply', label: 'Reply', onSelect: props.onReply }];
  if (permissions.canEdit) items.push({ key: 'edit', label: 'Edit', onSelect: props.onEdit });
  if (props.message.text !== '') items.push({ key: 'copy', label: 'Copy text', onSelect: props.onCopy });
  // Not disabled: a click says why forwarding is refused ([WEB14]).
  items.push({
    key: 'forward',
    label: 'Forward',
    onSelect: props.onForward,
    className: permissions.canForward ? '' : 'muted',
    title: permissions.canForward ? undefined : 'Forwarding is turned off in this chat',
  });
  if (permissions.canPin) items.push({ key: 'pin', label: props.isPinned ? 'Unpin' : 'Pin', onSelect: props.onPin });
  items.push({ key: 'delete', label: 'Delete', onSelect: props.onDelete, className: 'danger' });

  return <MessageMenuShell point={props.point} onReact={permissions.canReact ? props.onReact : undefined} ownReaction={props.ownReaction} items={items} onClose={props.onClose} />;
}
