import { avatarHue, initials } from '../../model/format.ts';

/** A round avatar with the initials of `name`, coloured by `id`. */
export function Avatar({ id, name, size = 48 }: { id: number; name: string; size?: number }) {
  return (
    <span className="avatar" aria-hidden="true" style={{ width: size, height: size, fontSize: size * 0.38, ['--avatar-hue' as string]: avatarHue(id) }}>
      {initials(name)}
    </span>
  );
}
