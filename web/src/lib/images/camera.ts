/**
 * The phone's camera through getUserMedia (the back camera when there is one). Every way it can
 * fail is a kind the screen turns into a sentence that says what to do, always with the file
 * picker (which can open the camera app) as the way round.
 */

export type CameraProblem = 'denied' | 'none' | 'busy' | 'insecure' | 'unsupported';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(problem);
  }
}

/** Start the camera into a <video>; resolves once it plays. */
export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  if (!window.isSecureContext) throw new CameraError('insecure');
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  } catch (err) {
    const name = (err as { name?: string }).name;
    throw new CameraError(
      name === 'NotAllowedError' || name === 'SecurityError'
        ? 'denied'
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? 'none'
          : name === 'NotReadableError' || name === 'AbortError'
            ? 'busy'
            : 'unsupported',
    );
  }
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  return stream;
}

export function closeCamera(stream: MediaStream | null): void {
  stream?.getTracks().forEach((t) => t.stop());
}

/** What the camera shows now, as a PNG file (made small afterwards, like any photo). */
export async function grabFrame(video: HTMLVideoElement): Promise<Blob> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new CameraError('busy');
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  c.getContext('2d')!.drawImage(video, 0, 0, w, h);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new CameraError('busy'))), 'image/png'));
}
