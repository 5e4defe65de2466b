import type { AttachTarget } from './attach-files.ts';
import { FilePickerButton } from './file-picker-button.tsx';
import { useMediaServices } from './media-context.tsx';

/** The cloud composer's paperclip: puts the chosen files in the attach dialog. */
export function AttachButton({ target }: { target: AttachTarget }) {
  const { staged } = useMediaServices();
  return <FilePickerButton onPick={(files) => staged.stage(files, target)} />;
}
