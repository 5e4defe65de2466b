import { useMemo, useSyncExternalStore } from 'react';
import { useMediaServices } from './media-context.tsx';
import { UploadBubble } from './upload-bubble.tsx';
import './media.css';

/** The uploads of one conversation, under its history and above the composer ([WEB20]). */
export function UploadList({ targetKey }: { targetKey: string }) {
  const { uploads } = useMediaServices();
  const all = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot);
  const mine = useMemo(() => all.filter((item) => item.targetKey === targetKey), [all, targetKey]);
  if (mine.length === 0) return null;
  return (
    <div className="upload-list" role="status" aria-label="Uploads">
      {mine.map((item) => (
        <UploadBubble key={item.id} item={item} onCancel={(id) => uploads.cancel(id)} />
      ))}
    </div>
  );
}
