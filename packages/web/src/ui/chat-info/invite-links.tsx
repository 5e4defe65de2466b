import type { SamizdatClient } from '@samizdat/client';
import type { Chat, InviteLink } from '@samizdat/protocol';
import { useEffect, useState } from 'react';
import { errorText } from '../common/error-text.ts';
import { FormError } from '../common/form-error.tsx';
import { useBusyTask } from '../common/use-busy-task.ts';
import { CopyButton } from './copy-button.tsx';

/**
 * A chat's invite links for admins with `inviteUsers` ([WEB34]): the ones made so far
 * (`chats.getInviteLinks`), a button for a new one (`chats.exportInviteLink`), and for each a copy
 * button and "Revoke" (`chats.revokeInviteLink`). A revoked link stays listed, struck out.
 */
export function InviteLinks({ client, chat }: { client: SamizdatClient; chat: Chat }) {
  const [links, setLinks] = useState<readonly InviteLink[] | null>(null);
  const { isBusy, error, setError, run } = useBusyTask();

  useEffect(() => {
    let isCurrent = true;
    client.call('chats.getInviteLinks', { chatId: chat.id }).then(
      ({ invites }) => isCurrent && setLinks(invites),
      (caught: unknown) => isCurrent && setError(errorText(caught)),
    );
    return () => {
      isCurrent = false;
    };
  }, [client, chat.id]);

  /** Runs a call that makes or revokes a link, and puts the link as it now is on top of the list. */
  function updateLink(task: () => Promise<InviteLink>): Promise<void> {
    return run(async () => {
      const invite = await task();
      setLinks((current) => [invite, ...(current ?? []).filter((link) => link.hash !== invite.hash)]);
    });
  }

  return (
    <section className="info-section" aria-label="Invite links">
      <h3>Invite links</h3>
      {links !== null && links.length === 0 && <p className="field-hint">No invite links yet.</p>}
      <ul className="invite-list">
        {(links ?? []).map((link) => (
          <li key={link.hash} className={`invite-row ${link.isRevoked ? 'revoked' : ''}`}>
            <code className="invite-link" title={link.link}>
              {link.link}
            </code>
            <span className="invite-usage">
              {link.isRevoked ? 'revoked' : `${link.usageCount} joined${link.usageLimit === null ? '' : ` of ${link.usageLimit}`}`}
            </span>
            {!link.isRevoked && (
              <>
                <CopyButton text={link.link} label="Copy invite link" />
                <button type="button" className="link-button danger-text" disabled={isBusy} onClick={() => void updateLink(async () => (await client.call('chats.revokeInviteLink', { chatId: chat.id, hash: link.hash })).invite)}>
                  Revoke
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <button type="button" className="plain-button" disabled={isBusy} onClick={() => void updateLink(async () => (await client.call('chats.exportInviteLink', { chatId: chat.id })).invite)}>
        Create invite link
      </button>
      <FormError error={error} />
    </section>
  );
}
