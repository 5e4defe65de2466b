import type { ButtonHTMLAttributes, ReactNode } from 'react';

/** A round button showing only an icon; `label` is what screen readers (and the tooltip) say. */
export function IconButton({ label, children, className, ...props }: { label: string; children: ReactNode } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" aria-label={label} title={label} className={`icon-button ${className ?? ''}`} {...props}>
      {children}
    </button>
  );
}
