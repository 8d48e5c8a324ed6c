/**
 * Gzip a request body with the platform's CompressionStream (browsers, workers, Node 18+). JSON of
 * logged predictions shrinks several times over, which is what a 2G link needs. Returns undefined
 * where CompressionStream is missing, and the caller sends the body as it is.
 */
export async function gzip(text: string): Promise<Uint8Array | undefined> {
  if (typeof CompressionStream === 'undefined') return undefined;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
