import { useEffect, useRef, useState } from 'react';
import { SendIcon } from '../../common/icons.tsx';
import { IconButton } from '../../common/icon-button.tsx';
import { encodeWaveform, formatDuration } from '../../../model/media-format.ts';
import type { AttachTarget } from './attach-files.ts';
import { useMediaServices } from './media-context.tsx';
import { MicIcon, TrashIcon } from './media-icons.tsx';
import './media.css';

/** Containers tried in order; Chromium and Firefox record Opus in one of them. */
const VOICE_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg'];
const LEVEL_INTERVAL_MS = 100;
const MIN_DURATION_SECONDS = 0.5;

interface Recording {
  stream: MediaStream;
  recorder: MediaRecorder;
  chunks: Blob[];
  levels: number[];
  startedAt: number;
  audio: AudioContext | null;
  levelTimer: ReturnType<typeof setInterval> | null;
}

/**
 * The microphone button ([WEB22]): a click starts recording (`getUserMedia` and `MediaRecorder`),
 * a bar over the composer shows the time so far with buttons to send or cancel; the note goes up
 * as `voice` with its duration and a waveform of the levels heard.
 */
export function VoiceRecorder({ target }: { target: AttachTarget }) {
  const { uploads } = useMediaServices();
  const recordingRef = useRef<Recording | null>(null);
  const [state, setState] = useState<'idle' | 'starting' | 'recording'>('idle');
  const [elapsedMs, setElapsedMs] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (state !== 'recording') return;
    const timer = setInterval(() => setElapsedMs(Date.now() - (recordingRef.current?.startedAt ?? Date.now())), 250);
    return () => clearInterval(timer);
  }, [state]);

  // Leaving the conversation drops a recording in progress.
  useEffect(() => () => stop(recordingRef.current), []);

  async function start(): Promise<void> {
    setError(null);
    if (typeof MediaRecorder === 'undefined' || navigator.mediaDevices === undefined) {
      setError('This browser cannot record audio here');
      return;
    }
    setState('starting');
    // Made while the click still counts as a user gesture, or it starts suspended and hears silence.
    const audio = createAudioContext();
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mimeType = VOICE_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
      const recorder = new MediaRecorder(stream, mimeType === undefined ? {} : { mimeType });
      const recording: Recording = { stream, recorder, chunks: [], levels: [], startedAt: Date.now(), audio, levelTimer: null };
      recorder.ondataavailable = (event) => {
        if (event.data.size > 0) recording.chunks.push(event.data);
      };
      listenToLevels(recording);
      recorder.start(250);
      recording.startedAt = Date.now();
      recordingRef.current = recording;
      setElapsedMs(0);
      setState('recording');
    } catch (caught) {
      void audio?.close().catch(() => {});
      setState('idle');
      setError(caught instanceof DOMException && caught.name === 'NotAllowedError' ? 'Microphone access was denied' : 'Cannot use the microphone');
    }
  }

  function cancel(): void {
    stop(recordingRef.current);
    recordingRef.current = null;
    setState('idle');
  }

  function send(): void {
    const recording = recordingRef.current;
    if (recording === null) return;
    recordingRef.current = null;
    setState('idle');
    const durationSeconds = (Date.now() - recording.startedAt) / 1000;
    recording.recorder.addEventListener(
      'stop',
      () => {
        if (durationSeconds < MIN_DURATION_SECONDS || recording.chunks.length === 0) return;
        const mimeType = (recording.recorder.mimeType || 'audio/webm').split(';')[0]!;
        const blob = new Blob(recording.chunks, { type: mimeType });
        const media: { duration: number; waveform?: string } = { duration: Math.round(durationSeconds * 10) / 10 };
        if (recording.levels.length > 0) media.waveform = encodeWaveform(recording.levels);
        uploads.add(blob, { peer: target.peer, targetKey: target.key, kind: 'voice', name: `voice.${mimeType.endsWith('ogg') ? 'ogg' : 'webm'}`, mimeType, media });
      },
      { once: true },
    );
    stop(recording);
  }

  return (
    <>
      <IconButton label="Record voice message" className="voice-button" onClick={() => void start()} disabled={state !== 'idle'}>
        <MicIcon />
      </IconButton>
      {error !== null && (
        <p className="voice-error" role="alert">
          {error}
        </p>
      )}
      {state === 'recording' && (
        <div className="voice-recording" role="group" aria-label="Recording voice message">
          <IconButton label="Cancel recording" onClick={cancel}>
            <TrashIcon />
          </IconButton>
          <span className="voice-recording-dot" aria-hidden="true" />
          <span className="voice-recording-time" role="timer" aria-label="Recording time">
            {formatDuration(Math.floor(elapsedMs / 1000))}
          </span>
          <span className="voice-recording-hint">Recording…</span>
          <IconButton label="Send voice message" className="send-button" onClick={send}>
            <SendIcon />
          </IconButton>
        </div>
      )}
    </>
  );
}

/** An `AudioContext` for the levels, or null where Web Audio is missing (recording goes on without a waveform). */
function createAudioContext(): AudioContext | null {
  try {
    const audio = new AudioContext();
    void audio.resume().catch(() => {});
    return audio;
  } catch {
    return null;
  }
}

/** Samples the microphone's peak level every {@link LEVEL_INTERVAL_MS} for the waveform; recording goes on without it if Web Audio fails. */
function listenToLevels(recording: Recording): void {
  const { audio } = recording;
  if (audio === null) return;
  try {
    const analyser = audio.createAnalyser();
    // About the whole interval at 48 kHz, so that a short sound between two samples still counts.
    analyser.fftSize = 8192;
    audio.createMediaStreamSource(recording.stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    recording.levelTimer = setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128) / 128);
      recording.levels.push(Math.min(1, peak * 1.5));
    }, LEVEL_INTERVAL_MS);
  } catch (error) {
    console.warn('voice levels', error);
  }
}

/** Stops the recorder (its last data and `stop` event follow), the microphone and the level sampling. */
function stop(recording: Recording | null): void {
  if (recording === null) return;
  if (recording.levelTimer !== null) clearInterval(recording.levelTimer);
  void recording.audio?.close().catch(() => {});
  if (recording.recorder.state !== 'inactive') recording.recorder.stop();
  for (const track of recording.stream.getTracks()) track.stop();
}
