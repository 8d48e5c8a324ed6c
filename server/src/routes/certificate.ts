import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';

/**
 * GET /outpost-ca.cer: the certificate a phone installs to trust this server's HTTPS (its own
 * authority with OUTPOST_TLS=auto, the operator's root with OUTPOST_TLS=custom when the chain file
 * ends in one). Served over plain HTTP too, since a phone fetches it before it trusts the server;
 * the person compares its SHA-256 fingerprint with the one the server printed (docs/lan-https.md).
 */
export function certificateRoutes(authority: Uint8Array | undefined) {
  return new Hono().get('/outpost-ca.cer', (c) => {
    if (!authority)
      throw new OutpostError(
        'not_found',
        'This server has no certificate for phones to install: it serves HTTP only (OUTPOST_TLS=off), or its certificate comes from an authority phones already trust.',
      );
    // DER with this type: Android saves it as a CA certificate to install in Settings, iOS Safari offers it as a profile.
    return c.body(new Uint8Array(authority), 200, {
      'content-type': 'application/x-x509-ca-cert',
      'content-disposition': 'attachment; filename="outpost-ca.cer"',
      'cache-control': 'no-cache',
    });
  });
}
