import { useEffect, useRef, useState } from 'react';
import type { AttachTarget } from './attach-files.ts';
import { AttachDialog } from './attach-dialog.tsx';
import { useMediaServices } from './media-context.tsx';
import './media.css';

/**
 * Makes its parent element (the conversation) take files dropped on it ([WEB20]), showing a drop
 * zone over it while files are dragged over, and hosts the attach dialog that dropped and picked
 * files go to (outside the composer's form).
 */
export function FileDropTarget({ target }: { target: AttachTarget }) {
  const { staged } = useMediaServices();
  const ref = useRef<HTMLDivElement>(null);
  const [isDragging, setDragging] = useState(false);
  const targetRef = useRef(target);
  targetRef.current = target;

  useEffect(() => {
    const area = ref.current?.parentElement;
    if (area == null) return;
    // dragenter and dragleave fire for every child crossed: count them.
    let depth = 0;
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth++;
      setDragging(true);
    };
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer !== null) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      staged.stage(Array.from(event.dataTransfer?.files ?? []), targetRef.current);
    };
    area.addEventListener('dragenter', onEnter);
    area.addEventListener('dragover', onOver);
    area.addEventListener('dragleave', onLeave);
    area.addEventListener('drop', onDrop);
    return () => {
      area.removeEventListener('dragenter', onEnter);
      area.removeEventListener('dragover', onOver);
      area.removeEventListener('dragleave', onLeave);
      area.removeEventListener('drop', onDrop);
    };
  }, [staged]);

  return (
    <>
      <div ref={ref} className="drop-zone" data-active={isDragging} aria-hidden={!isDragging}>
        <div className="drop-zone-inner">
          <p>Drop files here to send them</p>
        </div>
      </div>
      <AttachDialog />
    </>
  );
}
