import { useState } from 'react';

/** Step 2: the code sent to the phone (test numbers: the digit after 99966, five times). */
export function CodeStep({ phone, isBusy, onSubmit, onBack }: { phone: string; isBusy: boolean; onSubmit: (code: string) => void; onBack: () => void }) {
  const [code, setCode] = useState('');
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(code.trim());
      }}
    >
      <p className="sign-in-hint">
        We sent a code to <strong>{phone}</strong>.{' '}
        <button type="button" className="link-button" onClick={onBack}>
          Wrong number?
        </button>
      </p>
      <label className="field">
        <span>Code</span>
        <input name="code" autoComplete="one-time-code" inputMode="numeric" required autoFocus value={code} onChange={(event) => setCode(event.target.value)} />
      </label>
      <button type="submit" className="primary-button" disabled={isBusy || code.trim() === ''}>
        {isBusy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
