import type { SafetyNumber } from '@samizdat/client';
import { useEffect, useState } from 'react';
import { Dialog } from '../common/dialog.tsx';
import { errorText } from '../common/error-text.ts';
import { emojiName } from './emoji-names.ts';
import { digitGroups } from './secret-format.ts';

/**
 * The verification screen of a secret chat ([WEB44]): the emoji sequence and the 60-digit safety
 * number (12 groups of 5) over every device of both users, identical on both sides, and how to
 * compare them. It is computed on this device from the identity keys the server lists. Once they
 * match, "Mark as verified" remembers these digits in this browser ([WEB67]).
 */
export function SecretVerificationDialog({ peerName, load, verifiedDigits, onMarkVerified, onClose }: { peerName: string; load: () => Promise<SafetyNumber>; verifiedDigits: string | null; onMarkVerified: (digits: string) => void; onClose: () => void }) {
  const [result, setResult] = useState<{ number: SafetyNumber } | { error: string } | null>(null);
  useEffect(() => {
    let isCurrent = true;
    load().then(
      (number) => isCurrent && setResult({ number }),
      (error: unknown) => isCurrent && setResult({ error: errorText(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [load]);

  return (
    <Dialog title="Verify safety number" onClose={onClose}>
      {result === null ? (
        <p className="list-placeholder" role="status">
          Computing the safety number…
        </p>
      ) : 'error' in result ? (
        <p className="form-error" role="alert">
          {result.error}
        </p>
      ) : (
        <div className="secret-verify">
          <ol className="secret-emoji" aria-label="Emoji fingerprint" data-emoji={result.number.emoji.join(' ')}>
            {result.number.emoji.map((emoji, index) => (
              <li key={index}>
                <span className="secret-emoji-glyph" aria-hidden="true">
                  {emoji}
                </span>
                <span className="secret-emoji-name">{emojiName(emoji) || emoji}</span>
              </li>
            ))}
          </ol>
          <div className="secret-digits" role="group" aria-label="Safety number" data-digits={result.number.digits}>
            {digitGroups(result.number.digits).map((group, index) => (
              <code key={index}>{group}</code>
            ))}
          </div>
          <p className="secret-verify-note">
            To check that no one is reading this chat in between, compare these emoji or numbers with the ones on {peerName}’s screen, in person or over a call you
            trust. If they match, your messages are end-to-end encrypted for your devices and theirs only.
          </p>
          <p className="secret-verify-note">
            They cover {result.number.devices.mine.length} {result.number.devices.mine.length === 1 ? 'device' : 'devices'} of yours and {result.number.devices.theirs.length}{' '}
            of {peerName}’s, and change whenever either of you adds, removes or reinstalls a device.
          </p>
          {verifiedDigits === result.number.digits ? (
            <p className="secret-verified-note" role="status">
              You marked this safety number as verified.
            </p>
          ) : (
            <>
              {verifiedDigits !== null && (
                <p className="secret-verify-warning" role="alert">
                  The safety number changed since you verified it. Compare it again before marking it verified.
                </p>
              )}
              <button type="button" className="primary-button secret-mark-verified" onClick={() => onMarkVerified(result.number.digits)}>
                Mark as verified
              </button>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
