import type { SamizdatClient } from '@samizdat/client';
import { createContext, useContext, type ReactNode } from 'react';
import { UploadQueue, type MediaSender } from '../../../model/upload-queue.ts';
import { StagedFiles } from './staged-files.ts';

/** The part of the SDK the media screens use. */
export type MediaClient = Pick<SamizdatClient, 'uploadFile' | 'downloadFile'>;

/** What media components need from around them: the SDK for files, and the account's uploads. */
export interface MediaServices {
  client: MediaClient;
  uploads: UploadQueue;
  /** Files waiting in the attach dialog. */
  staged: StagedFiles;
}

const MediaContext = createContext<MediaServices | null>(null);
/** One queue per account's sender (its `ChatStore`), so that uploads outlive the conversation on screen. */
const servicesBySender = new WeakMap<MediaSender, MediaServices>();

/** Gives the screens below it the SDK's file methods and the {@link UploadQueue} of the account whose `sender` it is. */
export function MediaProvider({ client, sender, children }: { client: MediaClient; sender: MediaSender; children: ReactNode }) {
  let services = servicesBySender.get(sender);
  if (services === undefined) {
    services = { client, uploads: new UploadQueue(client, sender, { onError: (error) => console.warn('upload', error) }), staged: new StagedFiles() };
    servicesBySender.set(sender, services);
  }
  return <MediaContext.Provider value={services}>{children}</MediaContext.Provider>;
}

/** The nearest {@link MediaProvider}'s services, or null outside one. */
export function useOptionalMediaServices(): MediaServices | null {
  return useContext(MediaContext);
}

/** The nearest {@link MediaProvider}'s services. */
export function useMediaServices(): MediaServices {
  const services = useContext(MediaContext);
  if (services === null) throw new Error('Cannot use media: no MediaProvider above this component');
  return services;
}
