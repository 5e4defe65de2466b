import { useState } from 'react';
import { CopyIcon } from '../groups/group-icons.tsx';
import { IconButton } from '../common/icon-button.tsx';

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [isCopied, setCopied] = useState(false);
  return (
    <IconButton
      label={isCopied ? 'Copied' : label}
      className="copy-button"
      onClick={() => {
        void copyText(text).then((isDone) => {
          if (!isDone) return;
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <CopyIcon />
    </IconButton>
  );
}

/** The async clipboard where there is one (secure contexts); else the older selection copy. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard !== undefined) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, no focus): fall through to the older way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  // Deprecated but the only way to copy outside a secure context.
  const isDone = document.execCommand('copy');
  area.remove();
  return isDone;
}
