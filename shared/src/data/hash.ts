/**
 * SHA-256 of some bytes as lowercase hex (FIPS 180-4), via Web Crypto's `crypto.subtle.digest`,
 * which browsers, workers and Node 20 all provide. Used for dataset content hashes and for the
 * content addresses of blobs (model weights).
 */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
