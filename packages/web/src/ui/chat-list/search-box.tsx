import type { RefObject } from 'react';
import { SearchIcon } from '../common/icons.tsx';

/** The chat list's filter; Ctrl+K focuses it, Esc clears it. */
export function SearchBox({ value, onChange, inputRef }: { value: string; onChange: (value: string) => void; inputRef: RefObject<HTMLInputElement | null> }) {
  return (
    <label className="search-box">
      <SearchIcon />
      <input
        ref={inputRef}
        type="search"
        aria-label="Search chats"
        placeholder="Search (Ctrl+K)"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && value !== '') {
            event.stopPropagation();
            onChange('');
          }
        }}
      />
    </label>
  );
}
