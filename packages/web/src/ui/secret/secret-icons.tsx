import type { SVGProps } from 'react';

/** Icons of the secret-chat screens, drawn inline like the app's others; decorative. */
function Icon({ children, ...props }: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...props}>
      {children}
    </svg>
  );
}

/** The lock that marks a secret chat. */
export const LockIcon = ({ size = 16 }: { size?: number }) => (
  <Icon width={size} height={size} className="lock-icon">
    <rect x="5" y="11" width="14" height="10" rx="2" />
    <path d="M8 11V7a4 4 0 018 0v4" />
  </Icon>
);
export const ShieldIcon = ({ size = 24 }: { size?: number }) => (
  <Icon width={size} height={size}>
    <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" />
    <path d="M9 12l2 2 4-4" />
  </Icon>
);
export const TimerIcon = ({ size = 14 }: { size?: number }) => (
  <Icon width={size} height={size}>
    <circle cx="12" cy="13" r="8" />
    <path d="M12 9v4l2 2M9 2h6" />
  </Icon>
);
export const ReplyIcon = () => (
  <Icon width="18" height="18">
    <path d="M9 14L4 9l5-5" />
    <path d="M4 9h10a6 6 0 016 6v5" />
  </Icon>
);
