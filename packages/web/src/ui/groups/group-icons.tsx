import type { ReactNode } from 'react';

/** Icons of the group and channel screens (drawn like `common/icons.tsx`; decorative). */
function Icon({ children, size = 22 }: { children: ReactNode; size?: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const GroupIcon = () => (
  <Icon>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0113 0" />
    <path d="M16 4.5a3.5 3.5 0 010 7M18 14a6.5 6.5 0 013.5 6" />
  </Icon>
);
export const MegaphoneIcon = () => (
  <Icon>
    <path d="M3 10v4h4l6 4V6L7 10z" />
    <path d="M16.5 8.5a5 5 0 010 7" />
  </Icon>
);
export const EyeIcon = () => (
  <Icon size={14}>
    <path d="M1.5 12S5.5 5 12 5s10.5 7 10.5 7-4 7-10.5 7S1.5 12 1.5 12z" />
    <circle cx="12" cy="12" r="3" />
  </Icon>
);
export const CommentIcon = () => (
  <Icon size={18}>
    <path d="M21 12a8 8 0 01-11.6 7.1L4 20l1-4.6A8 8 0 1121 12z" />
  </Icon>
);
export const CopyIcon = () => (
  <Icon size={18}>
    <rect x="9" y="9" width="12" height="12" rx="2" />
    <path d="M5 15V5a2 2 0 012-2h10" />
  </Icon>
);
