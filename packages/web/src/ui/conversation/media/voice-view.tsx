import type { Media } from '@samizdat/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { decodeWaveform, formatDuration } from '../../../model/media-format.ts';
import { fileObjectUrl } from './file-blob.ts';
import { useMediaServices } from './media-context.tsx';
import { PauseIcon, PlayIcon } from './media-icons.tsx';

const BARS = 40;

/** A voice note: play/pause, its waveform filling as it plays, and its duration (the time played while playing). */
export function VoiceView({ media }: { media: Media }) {
  const { client } = useMediaServices();
  const audioRef = useRef<HTMLAudioElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [isPlaying, setPlaying] = useState(false);
  const [isLoading, setLoading] = useState(false);
  const [position, setPosition] = useState(0);
  const duration = media.duration ?? 0;
  const bars = useMemo(() => resample(decodeWaveform(media.waveform), BARS), [media.waveform]);

  useEffect(() => {
    // Play once the bytes are in, as the click asked.
    if (url !== null && isLoading) {
      setLoading(false);
      void audioRef.current?.play();
    }
  }, [url, isLoading]);

  function toggle(): void {
    const audio = audioRef.current;
    if (url === null) {
      setLoading(true);
      fileObjectUrl(client, media.file).then(setUrl, (error: unknown) => {
        setLoading(false);
        console.warn('voice note', error);
      });
    } else if (audio !== null) {
      if (audio.paused) void audio.play();
      else audio.pause();
    }
  }

  const played = duration > 0 ? Math.min(1, position / duration) : 0;
  return (
    <div className="media-voice" data-duration={duration}>
      <button type="button" className="media-round-button" aria-label={isPlaying ? 'Pause voice message' : 'Play voice message'} onClick={toggle} disabled={isLoading}>
        {isPlaying ? <PauseIcon /> : <PlayIcon />}
      </button>
      <div className="media-voice-body">
        <div className="media-waveform" aria-hidden="true">
          {bars.map((level, index) => (
            <span key={index} className={index / bars.length < played ? 'played' : ''} style={{ height: `${Math.max(12, (level / 31) * 100)}%` }} />
          ))}
        </div>
        <span className="media-voice-duration">{formatDuration(isPlaying || position > 0 ? position : duration)}</span>
      </div>
      {url !== null && (
        <audio
          ref={audioRef}
          src={url}
          preload="auto"
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => {
            setPlaying(false);
            setPosition(0);
          }}
          onTimeUpdate={(event) => setPosition(event.currentTarget.currentTime)}
        />
      )}
    </div>
  );
}

/** `count` bars from the samples (a flat line when there are none). */
function resample(samples: readonly number[], count: number): number[] {
  if (samples.length === 0) return Array.from({ length: count }, () => 4);
  return Array.from({ length: count }, (_, i) => samples[Math.floor((i * samples.length) / count)]!);
}
