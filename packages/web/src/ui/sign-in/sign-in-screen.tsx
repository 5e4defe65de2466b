import type { SamizdatClient } from '@samizdat/client';
import type { User } from '@samizdat/protocol';
import { useState } from 'react';
import { FormError } from '../common/form-error.tsx';
import { useBusyTask } from '../common/use-busy-task.ts';
import { CodeStep } from './code-step.tsx';
import { NameStep } from './name-step.tsx';
import { PhoneStep } from './phone-step.tsx';

type Step = { kind: 'phone' } | { kind: 'code'; phone: string; phoneCodeHash: string } | { kind: 'name'; phone: string; phoneCodeHash: string; code: string };

/** Sign in by phone number and one-time code; a new number also asks for a name (sign-up). */
export function SignInScreen({ client, onSignedIn }: { client: SamizdatClient; onSignedIn: (user: User) => void }) {
  const [step, setStep] = useState<Step>({ kind: 'phone' });
  const { isBusy, error, run } = useBusyTask();

  const deviceName = `Web · ${browserName()}`;
  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="sign-in-logo" aria-hidden="true" />
        <h1>Samizdat</h1>
        {step.kind === 'phone' && (
          <PhoneStep
            isBusy={isBusy}
            onSubmit={(phone) =>
              run(async () => {
                const sent = await client.sendCode(phone);
                setStep({ kind: 'code', phone, phoneCodeHash: sent.phoneCodeHash });
              })
            }
          />
        )}
        {step.kind === 'code' && (
          <CodeStep
            phone={step.phone}
            isBusy={isBusy}
            onBack={() => setStep({ kind: 'phone' })}
            onSubmit={(code) =>
              run(async () => {
                const result = await client.signIn({ phone: step.phone, phoneCodeHash: step.phoneCodeHash, code, deviceName });
                if (result.type === 'authorization') onSignedIn(result.user);
                else setStep({ kind: 'name', phone: step.phone, phoneCodeHash: step.phoneCodeHash, code });
              })
            }
          />
        )}
        {step.kind === 'name' && (
          <NameStep
            isBusy={isBusy}
            onSubmit={(displayName) =>
              run(async () => {
                const result = await client.signUp({ phone: step.phone, phoneCodeHash: step.phoneCodeHash, code: step.code, displayName, deviceName });
                onSignedIn(result.user);
              })
            }
          />
        )}
        <FormError error={error} />
      </div>
    </main>
  );
}

/** A short name of the browser for the session list ("Chrome", "Firefox", …). */
function browserName(): string {
  const agent = navigator.userAgent;
  for (const [pattern, name] of [[/Firefox\//, 'Firefox'], [/Edg\//, 'Edge'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari']] as const) {
    if (pattern.test(agent)) return name;
  }
  return 'Browser';
}
