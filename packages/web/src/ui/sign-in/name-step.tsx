import { useState } from 'react';

/** Step 3, for a new number only: the name others will see. */
export function NameStep({ isBusy, onSubmit }: { isBusy: boolean; onSubmit: (displayName: string) => void }) {
  const [name, setName] = useState('');
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(name.trim());
      }}
    >
      <p className="sign-in-hint">This number is new here. What is your name?</p>
      <label className="field">
        <span>Your name</span>
        <input name="name" autoComplete="name" required autoFocus maxLength={64} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="submit" className="primary-button" disabled={isBusy || name.trim() === ''}>
        {isBusy ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
