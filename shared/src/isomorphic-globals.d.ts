// The platform APIs that shared/ may use, because browsers, workers and Node 20 all provide them.
// Declared here (and nowhere else) so that shared/ type-checks without the DOM's or Node's globals.
declare const crypto: {
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };
};
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
