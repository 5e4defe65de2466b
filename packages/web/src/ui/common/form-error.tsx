/** Why a form's last attempt failed, read out by screen readers as it appears; nothing while there is no error. */
export function FormError({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}
