import type { Draft } from '@samizdat/protocol';
import './draft-preview.css';

/** In a chat list row: "Draft: <text>" in place of the last message ([WEB64]), "Draft:" in red as Telegram has it. */
export function DraftPreview({ draft }: { draft: Draft }) {
  return (
    <span className="draft-preview">
      <span className="draft-label">Draft: </span>
      {draft.text.replace(/\s+/g, ' ').trim()}
    </span>
  );
}
