/** Why a form's last attempt failed, read out by screen readers as it appears; nothing while there is no error. */
export function FormError({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}

/** What a form's last attempt came to: a failure (an alert) or a success (a status), or nothing yet. */
export interface FormOutcome {
  text: string;
  isError: boolean;
}

/** Shows a {@link FormOutcome}, read out by screen readers as it appears. */
export function FormStatus({ status }: { status: FormOutcome | null }) {
  if (status === null) return null;
  return (
    <p className={status.isError ? 'form-error' : 'form-ok'} role={status.isError ? 'alert' : 'status'}>
      {status.text}
    </p>
  );
}
