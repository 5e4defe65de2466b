import { useState } from 'react';

/** Step 1: the phone number, in international format. */
export function PhoneStep({ isBusy, onSubmit }: { isBusy: boolean; onSubmit: (phone: string) => void }) {
  const [phone, setPhone] = useState('');
  return (
    <form
      className="sign-in-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(phone.trim());
      }}
    >
      <p className="sign-in-hint">Enter your phone number with its country code. We will send you a code.</p>
      <label className="field">
        <span>Phone number</span>
        <input type="tel" name="phone" autoComplete="tel" inputMode="tel" placeholder="+1 555 0100" required autoFocus value={phone} onChange={(event) => setPhone(event.target.value)} />
      </label>
      <button type="submit" className="primary-button" disabled={isBusy || phone.trim() === ''}>
        {isBusy ? 'Sending…' : 'Next'}
      </button>
    </form>
  );
}
