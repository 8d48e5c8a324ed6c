import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import { ImportSpec } from '@shared/registry/import.js';
import type { Db } from '../store/db.js';
import { importModel, type ImportFile } from '../store/imports.js';
import type { BlobLimits } from '../store/blobs.js';
import { adminAuth } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { sameOriginOnly } from '../middleware/cors.js';
import type { AdminDeps } from './admin.js';

/** Most bytes an import request may have besides the model file itself (the form's other fields). */
const FORM_OVERHEAD = 1024 * 1024;
/** The request body limit of an import: the largest model file the server keeps, and the form around it. */
export const importBodyLimit = (limits: BlobLimits) => limits.maxBlobBytes + FORM_OVERHEAD;

/** What the admin CLI sends beside the file(s): the declaration, and where the version goes. */
export const AdminImportFields = z.object({
  spec: ImportSpec.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  projectId: z.string().min(1).max(64).optional(),
  by: z.string().max(200).optional(),
});

/** The files of a multipart form's `file` field(s), read into memory (the body limit bounds them). */
export async function formFiles(c: Context): Promise<{ files: ImportFile[]; fields: Record<string, string> }> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new OutpostError('invalid_body', 'The form could not be read. Send it as multipart/form-data with the model file in "file".');
  }
  const files: ImportFile[] = [];
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') fields[key] = v;
      else if (key === 'file' && v instanceof File && v.size > 0) files.push({ name: v.name || 'model', bytes: new Uint8Array(await v.arrayBuffer()) });
    }
  }
  return { files, fields };
}

/**
 * The admin API's import (the CLI uses it when the server is running, as PGlite lets one process
 * open the store): POST /orgs/:id/models, multipart/form-data with the model in `file` (several
 * `file` parts for model.json and its .bin files) and the JSON of AdminImportFields in `request`.
 * Mounted before the rest of the admin API, whose body limit is far smaller; same guards.
 */
export function adminImportRoutes(db: Db, adminToken: string, now: () => number, deps: AdminDeps, limits: BlobLimits, appVersion: string) {
  return new Hono().post(
    '/orgs/:id/models',
    sameOriginOnly(deps.ownOrigin),
    adminAuth(adminToken, deps.throttle),
    limitBody(importBodyLimit(limits), 'The model file is larger than the server keeps (OUTPOST_MAX_BLOB_BYTES).'),
    async (c) => {
      const { files, fields } = await formFiles(c);
      let raw: unknown;
      try {
        raw = JSON.parse(fields.request ?? '{}');
      } catch {
        throw new OutpostError('invalid_body', 'The "request" field is not valid JSON.');
      }
      const parsed = AdminImportFields.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new OutpostError('invalid_body', `The import settings are not valid: ${issue.path.join('.') || 'request'}: ${issue.message}.`);
      }
      if (!files.length) throw new OutpostError('invalid_body', 'Send the model file in the "file" field.');
      const { spec, name, projectId, by } = parsed.data;
      const version = await importModel(db, c.req.param('id'), { files, spec, name, projectId, by: by ?? 'admin API' }, { now: now(), appVersion, limits });
      return c.json({ id: version.id, projectId: version.projectId, modelName: version.modelName, version: version.version }, 201);
    },
  );
}
