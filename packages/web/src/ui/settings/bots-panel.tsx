import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useCallback, useEffect, useState } from 'react';
import { botUsernameProblem } from '../../model/bot-markup.ts';
import { userName } from '../../model/format.ts';
import { CopyButton } from '../chat-info/copy-button.tsx';
import { Avatar } from '../common/avatar.tsx';
import { errorText } from '../common/error-text.ts';
import { FormStatus, type FormOutcome } from '../common/form-error.tsx';
import '../bots/bots.css';

/**
 * Settings → "My bots" ([WEB73]): the user's bots (`bots.getMine`), a form that makes one
 * (`bots.create`: display name and a username ending in "bot"), and its token, shown once with a
 * copy button; "Revoke token" gives a bot a new one (the old one stops working).
 */
export function BotsPanel({ client, onBack, onBotCreated }: { client: SamizdatClient; onBack: () => void; onBotCreated?: (bot: User) => void }) {
  const [bots, setBots] = useState<readonly User[] | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [token, setToken] = useState<{ bot: User; token: string; isNew: boolean } | null>(null);
  const [status, setStatus] = useState<FormOutcome | null>(null);
  const [isBusy, setBusy] = useState(false);

  const reload = useCallback(async () => {
    setBots((await client.call('bots.getMine', {})).bots);
  }, [client]);
  useEffect(() => {
    reload().catch((error: unknown) => setStatus({ text: errorText(error), isError: true }));
  }, [reload]);

  async function run(task: () => Promise<void>): Promise<void> {
    setBusy(true);
    setStatus(null);
    try {
      await task();
    } catch (error) {
      setStatus({ text: errorText(error), isError: true });
    } finally {
      setBusy(false);
    }
  }

  const name = username.trim().replace(/^@/, '');
  const problem = name === '' ? null : botUsernameProblem(name);
  return (
    <div className="bots-panel">
      <button type="button" className="link-button sessions-back" onClick={onBack}>
        ‹ Settings
      </button>
      {bots === null ? (
        <p className="list-placeholder" role="status">
          Loading bots…
        </p>
      ) : bots.length === 0 ? (
        <p className="field-hint">You have no bots yet.</p>
      ) : (
        <ul className="my-bot-list" aria-label="My bots">
          {bots.map((bot) => (
            <li key={bot.id} className="my-bot-item" aria-label={`${userName(bot)}${bot.username === null ? '' : ` @${bot.username}`}`}>
              <Avatar id={bot.id} name={userName(bot)} size={40} />
              <div className="my-bot-info">
                <p className="my-bot-name">{userName(bot)}</p>
                {bot.username !== null && <p className="my-bot-username">@{bot.username}</p>}
              </div>
              <button
                type="button"
                className="session-terminate"
                disabled={isBusy}
                aria-label={`Revoke the token of ${userName(bot)}`}
                onClick={() =>
                  void run(async () => {
                    if (!window.confirm(`Revoke the token of ${userName(bot)}? Its program stops working until it uses the new one.`)) return;
                    const result = await client.call('bots.revokeToken', { botId: bot.id });
                    setToken({ bot, token: result.token, isNew: false });
                  })
                }
              >
                Revoke token
              </button>
            </li>
          ))}
        </ul>
      )}
      {token !== null && (
        <div className="bot-token" role="region" aria-label="Bot token">
          <p className="bot-token-title">{token.isNew ? `${userName(token.bot)} is ready.` : `New token of ${userName(token.bot)}.`} Its token for the Bot API:</p>
          <div className="bot-token-row">
            <code className="bot-token-value">{token.token}</code>
            <CopyButton text={token.token} label="Copy token" />
          </div>
          <p className="field-hint">Keep it secret: anyone with it controls the bot. It is shown only this once.</p>
        </div>
      )}
      <form
        className="dialog-form settings-form bot-create-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (problem !== null) return;
          void run(async () => {
            const result = await client.call('bots.create', { username: name, displayName: displayName.trim() });
            setToken({ bot: result.user, token: result.token, isNew: true });
            setDisplayName('');
            setUsername('');
            onBotCreated?.(result.user);
            await reload();
          });
        }}
      >
        <h3>New bot</h3>
        <label className="field">
          <span>Bot name</span>
          <input name="botDisplayName" autoComplete="off" required maxLength={64} value={displayName} onChange={(event) => setDisplayName(event.target.value)} />
        </label>
        <label className="field">
          <span>Bot username</span>
          <input name="botUsername" autoComplete="off" placeholder="my_helper_bot" required maxLength={33} value={username} aria-invalid={problem !== null} onChange={(event) => setUsername(event.target.value)} />
        </label>
        {problem !== null ? <p className="field-hint bot-username-problem">{problem}</p> : <p className="field-hint">Its username must end in “bot”.</p>}
        <button type="submit" className="primary-button" disabled={isBusy || displayName.trim() === '' || name === '' || problem !== null}>
          Create bot
        </button>
      </form>
      <FormStatus status={status} />
    </div>
  );
}
