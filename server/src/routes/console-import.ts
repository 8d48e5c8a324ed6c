import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OutpostError, httpStatusOf, isOutpostError } from '@shared/errors.js';
import { mayPromote } from '@shared/schema/registry.js';
import type { Db } from '../store/db.js';
import type { BlobLimits } from '../store/blobs.js';
import { importModel } from '../store/imports.js';
import { importProjects } from '../store/serving.js';
import { specFromFields, type ImportFields } from '../import-args.js';
import { onError } from '../middleware/errors.js';
import { limitBody } from '../middleware/body-limit.js';
import { checkFormToken, formToken, sameOriginForms } from '../middleware/csrf.js';
import { consoleSession, type ConsoleVars } from '../middleware/console-session.js';
import { requestOrigin } from '../middleware/client-address.js';
import { formFiles, importBodyLimit } from './admin-import.js';
import { csrfInput, messageView, page } from './console-page.js';

/**
 * The console's import page (/console/models/import): the central team uploads an ONNX file, a
 * TensorFlow.js model (a zip, or model.json with its .bin files) or a model exported from Outpost,
 * says how its input is read and what it answers (the same fields as `npm run admin --
 * import-model`), and gets the new version or the sentence saying what does not fit. ML leads and
 * admins may import. Mounted before the other console routes, whose body limit is far smaller.
 */

type Env = { Variables: ConsoleVars };

export interface ConsoleImportDeps {
  db: Db;
  now: () => number;
  trustProxy: boolean;
  limits: BlobLimits;
  appVersion: string;
}

const FIELD_NAMES = [
  'name',
  'labels',
  'columns',
  'columnsFrom',
  'tensorShape',
  'scale',
  'offset',
  'output',
  'target',
  'inputName',
  'outputName',
  'projectId',
] as const;

const text = (id: keyof ImportFields, label: string, v: ImportFields, hint = '') =>
  html`<p>
    <label for="${id}">${label}</label>${hint ? html` <small id="${id}-hint">${hint}</small>` : ''}<br />
    <input id="${id}" name="${id}" class="full" value="${v[id] ?? ''}" ${hint ? html`aria-describedby="${id}-hint"` : ''} />
  </p>`;

function importView(token: string, projects: { id: string; name: string }[], v: ImportFields = {}, error = '') {
  return page(
    'Import a model',
    html`<p><a href="/console">Back</a></p>
      <h1>Import a model</h1>
      ${error ? html`<p role="alert" class="alert">${error}</p>` : ''}
      <form method="post" action="/console/models/import" enctype="multipart/form-data">
        ${csrfInput(token)}
        <p>
          <label for="file">Model file</label>
          <small id="file-hint">An .onnx file, a zip of a TensorFlow.js model, model.json with its .bin files, or a model exported from Outpost.</small><br />
          <input id="file" name="file" type="file" multiple required accept=".onnx,.zip,.json,.bin" aria-describedby="file-hint" />
        </p>
        ${text('name', 'Name', v)} ${text('labels', 'Labels', v, 'Classes in output order, separated by commas; leave empty for a number.')}
        <p>
          <label for="projectId">Project</label><br />
          <select id="projectId" name="projectId">
            <option value="">A project named after the model</option>
            ${projects.map((p) => html`<option value="${p.id}" ${v.projectId === p.id ? 'selected' : ''}>${p.name}</option>`)}
          </select>
        </p>
        <h2>How the model reads its input</h2>
        <p>One of: the columns it was trained on, a JSON of columns with their scaling, or a tensor shape.</p>
        ${text('columns', 'Columns', v, 'Names in the model’s input order, separated by commas.')}
        <p>
          <label for="columnsFrom">Columns with their scaling (JSON)</label>
          <small id="columnsFrom-hint">{"columns": [...], "mean": [...], "std": [...]}</small><br />
          <textarea id="columnsFrom" name="columnsFrom" rows="4" class="full" aria-describedby="columnsFrom-hint">${v.columnsFrom ?? ''}</textarea>
        </p>
        ${text('tensorShape', 'Tensor shape', v, 'One item without the batch, e.g. 1,28,28.')}
        ${text('scale', 'Scale', v, 'Each value is multiplied by this (default 1).')} ${text('offset', 'Offset', v, 'Then this is added (default 0).')}
        <details>
          <summary>Details</summary>
          <p>
            <label for="output">Output</label><br />
            <select id="output" name="output">
              ${['', 'probabilities', 'logits', 'value'].map((o) => html`<option value="${o}" ${v.output === o ? 'selected' : ''}>${o || 'as the labels say'}</option>`)}
            </select>
          </p>
          ${text('target', 'Target column', v)} ${text('inputName', 'Model input to use', v)} ${text('outputName', 'Model output to use', v)}
        </details>
        <p><button>Import</button></p>
      </form>`,
  );
}

const importedView = (v: { id: string; modelName: string; version: number; projectId: string }) =>
  page(
    'Model imported',
    html`<h1>Imported: ${v.modelName}, version ${v.version}</h1>
      <p>Version id: <code>${v.id}</code>. Devices receive it at their next sync; it is in stage “none” until someone promotes it.</p>
      <p>
        <a href="/console/versions/${encodeURIComponent(v.id)}">Its history</a> · <a href="/console/models/import">Import another</a> ·
        <a href="/console">Back</a>
      </p>`,
  );

function pageError(err: Error, c: Context) {
  if (!isOutpostError(err)) return onError(err, c);
  return c.html(messageView('Not imported', err.message), httpStatusOf(err.code) as ContentfulStatusCode);
}

export function consoleImportRoutes({ db, now, trustProxy, limits, appVersion }: ConsoleImportDeps) {
  const app = new Hono<Env>();
  app.onError(pageError);
  app.use(
    '*',
    limitBody(importBodyLimit(limits), 'The model file is larger than the server keeps.'),
    sameOriginForms((c) => requestOrigin(c, trustProxy)),
    consoleSession(db, now),
  );
  const allowed = (c: Context<Env>) => {
    if (!c.get('org')) return c.redirect('/console');
    if (!mayPromote(c.get('actor')?.role)) return c.html(messageView('Import a model', 'Only an ML lead or an admin can import models.'), 403);
    return undefined;
  };
  return app
    .get('/import', async (c) => allowed(c) ?? c.html(importView(formToken(c.get('sessionId')!), await importProjects(db, c.get('org')!.id))))
    .post('/import', async (c) => {
      const refused = allowed(c);
      if (refused) return refused;
      const { files, fields } = await formFiles(c);
      checkFormToken(fields, c.get('sessionId'));
      const org = c.get('org')!;
      const typed: ImportFields = Object.fromEntries(FIELD_NAMES.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k].slice(0, 100_000)]));
      try {
        if (!files.length) throw new OutpostError('bad_request', 'Choose the model file.');
        const spec = specFromFields(typed);
        const version = await importModel(
          db,
          org.id,
          {
            files,
            ...(spec ? { spec } : {}),
            ...(typed.name?.trim() ? { name: typed.name.trim() } : {}),
            ...(typed.projectId ? { projectId: typed.projectId } : {}),
            by: c.get('actor')?.name ?? 'console',
          },
          { now: now(), appVersion, limits },
        );
        return c.html(importedView(version));
      } catch (err) {
        if (!isOutpostError(err)) throw err;
        const status = httpStatusOf(err.code) as ContentfulStatusCode;
        return c.html(importView(formToken(c.get('sessionId')!), await importProjects(db, org.id), typed, err.message), status);
      }
    });
}
