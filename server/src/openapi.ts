import { z } from 'zod';
import {
  DeviceStatus,
  EnrollRequest,
  EnrollResponse,
  HealthResponse,
  DecisionRequest,
  MonitorUpload,
  MonitorUploadResponse,
  PersonSessionRequest,
  PersonSessionResponse,
  PersonStageRequest,
  RegistryAnswer,
  PullResponse,
  PushRequest,
  PushResponse,
  SYNC_TABLES,
  PROTOCOL,
} from '@shared/sync/protocol.js';
import { ERROR_CODES } from '@shared/errors.js';
import { PredictRequest, PredictResponse, PredictRows } from '@shared/schema/serving.js';
import { Deployment, DeploymentChangeRequest, DeploymentEvent } from '@shared/schema/deployment.js';
import { DeployedResponse } from './serving/deployed.js';
import { DeploymentActionRequest } from './routes/deployments.js';

/**
 * The HTTP surface as an OpenAPI 3.1 document, served at GET /api/openapi.json. Request and answer
 * bodies come from the same zod schemas the server validates with, so the document cannot drift
 * from the code; a test checks that every route the app registers is listed here and nothing else.
 */

type Auth = 'none' | 'device' | 'admin' | 'session';
interface Operation {
  method: 'get' | 'post' | 'put';
  path: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType | 'bytes' | 'form' | { multipart: Record<string, string> };
  answer?: z.ZodType | 'bytes' | 'html' | 'json';
  /** Answers 201 Created rather than 200. */
  created?: true;
  query?: { name: string; description: string; required?: boolean }[];
}

const json = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const Status = z.object({ hash: z.string(), size: z.number().int(), offset: z.number().int(), complete: z.boolean() });

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/health', summary: 'Liveness, the store kind and the server version', auth: 'none', answer: HealthResponse },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', auth: 'none', answer: 'json' },
  {
    method: 'post',
    path: '/api/enroll',
    summary: 'Spend a one-time enrollment code; get the device credential (shown once)',
    auth: 'none',
    body: EnrollRequest,
    answer: EnrollResponse,
    created: true,
  },
  {
    method: 'post',
    path: '/api/sync/push',
    summary:
      "Push one batch of changes (gzip allowed); a change's fields follow the record schema of its table in components.schemas (e.g. dataset_versions, protocol 6; labels, protocol 7); see docs/sync.md",
    auth: 'device',
    body: PushRequest,
    answer: PushResponse,
  },
  {
    method: 'get',
    path: '/api/sync/pull',
    summary: 'Records changed after a cursor, oldest first',
    auth: 'device',
    answer: PullResponse,
    query: [
      { name: 'cursor', description: 'The cursor of the last page applied (0 at first)' },
      { name: 'limit', description: 'Records per page, 1 to 1000' },
      { name: 'witness', description: 'table:id of the record the last answer named at the cursor (a restored server answers reset)' },
    ],
  },
  {
    method: 'post',
    path: '/api/sync/status',
    summary: 'What still waits on the device and its active models (fleet view)',
    auth: 'device',
    body: DeviceStatus,
    answer: 'json',
  },
  {
    method: 'post',
    path: '/api/sync/monitors',
    summary: "A device's daily monitor counts per model version and its verdicts (fleet monitoring)",
    auth: 'device',
    body: MonitorUpload,
    answer: MonitorUploadResponse,
  },
  {
    method: 'post',
    path: '/api/registry/sessions',
    summary: 'A person signs in on this device with their personal key (a session of that person on that device)',
    auth: 'device',
    body: PersonSessionRequest,
    answer: PersonSessionResponse,
    created: true,
  },
  {
    method: 'post',
    path: '/api/registry/proposals/{id}',
    summary: 'Approve or reject a proposal (a person who may promote, signed in on the device: x-outpost-person)',
    auth: 'device',
    body: DecisionRequest,
    answer: RegistryAnswer,
  },
  {
    method: 'post',
    path: '/api/registry/versions/{id}/stage',
    summary: "Move a version's stage as a person (gates and compare-and-set; others' moves to production become proposals)",
    auth: 'device',
    body: PersonStageRequest,
    answer: RegistryAnswer,
  },
  {
    method: 'post',
    path: '/api/models/versions/{id}/predict',
    summary:
      "Answer with a model version of the device's organisation (a person's session may be sent in x-outpost-person): rows of columns, or tensor items under the model's input name; at most 10,000; each prediction is logged (source: server)",
    auth: 'device',
    body: PredictRequest,
    answer: PredictResponse,
  },
  {
    method: 'get',
    path: '/api/deployments/{projectId}',
    summary: "A project's deployment (null when it has none) and its history, newest first",
    auth: 'device',
    answer: z.object({ deployment: Deployment.nullable(), events: z.array(DeploymentEvent) }),
  },
  {
    method: 'put',
    path: '/api/deployments/{projectId}',
    summary:
      "Change a project's deployment (an ML lead or an admin signed in on the device: x-outpost-person): compare-and-set on expectedRevision (409 when someone changed it first), gates (422), blue-green's switch waits for every device seen in 14 days unless forced (409)",
    auth: 'device',
    body: DeploymentChangeRequest,
    answer: z.object({ deployment: Deployment }),
  },
  ...(['advance', 'switch', 'rollback'] as const).map((action): Operation => ({
    method: 'post',
    path: `/api/deployments/{projectId}/${action}`,
    summary: {
      advance: "The canary's next step of its ramp (as a person who may promote)",
      switch: "Blue-green's switch: the other colour answers (as a person who may promote; waits for the devices unless forced)",
      rollback: 'Roll back: a canary stops (the champion answers everyone); blue-green switches back',
    }[action],
    auth: 'device',
    body: DeploymentActionRequest,
    answer: z.object({ deployment: Deployment }),
  })),
  {
    method: 'post',
    path: '/api/projects/{projectId}/predict',
    summary:
      "Answer rows as the project's deployment says (the same plan as a device: canary arm by key, shadow's hidden run, the level of automation); every run is logged with the deployment it followed; at most 10,000 rows; 404 without a deployment",
    auth: 'device',
    body: PredictRows,
    answer: DeployedResponse,
  },
  { method: 'get', path: '/api/blobs/{hash}/status', summary: 'How much of a blob the server holds', auth: 'device', answer: Status },
  {
    method: 'put',
    path: '/api/blobs/{hash}',
    summary: 'Upload one chunk of a content-addressed blob at an offset (resumable)',
    auth: 'device',
    body: 'bytes',
    answer: Status,
    query: [
      { name: 'offset', description: 'Bytes the server already holds', required: true },
      { name: 'total', description: 'The whole blob size in bytes', required: true },
    ],
  },
  { method: 'get', path: '/api/blobs/{hash}', summary: 'Download a blob (HTTP Range supported)', auth: 'device', answer: 'bytes' },
  { method: 'get', path: '/api/admin/orgs', summary: 'List organisations', auth: 'admin', answer: 'json' },
  {
    method: 'post',
    path: '/api/admin/orgs',
    summary: 'Create an organisation; answers its admin key once',
    auth: 'admin',
    body: z.object({ name: z.string() }),
    answer: 'json',
    created: true,
  },
  {
    method: 'post',
    path: '/api/admin/orgs/{id}/codes',
    summary: 'A one-time enrollment code',
    auth: 'admin',
    body: z.object({ days: z.number().optional() }),
    answer: 'json',
    created: true,
  },
  { method: 'get', path: '/api/admin/orgs/{id}/devices', summary: "An organisation's devices", auth: 'admin', answer: 'json' },
  { method: 'get', path: '/api/admin/orgs/{id}/stats', summary: 'Record counts per table', auth: 'admin', answer: 'json' },
  {
    method: 'post',
    path: '/api/admin/orgs/{id}/models',
    summary:
      'Import a model (ONNX, a TensorFlow.js zip or model.json with .bin files, an Outpost model zip); answers the new version (npm run admin -- import-model)',
    auth: 'admin',
    body: {
      multipart: {
        file: 'The model file (repeat the part for model.json and each .bin file)',
        request: 'JSON {"spec": the ImportSpec (shared/src/registry/import.ts; not needed for an Outpost model zip), "name"?, "projectId"?, "by"?}',
      },
    },
    answer: z.object({ id: z.string(), projectId: z.string(), modelName: z.string(), version: z.number().int() }),
    created: true,
  },
  { method: 'post', path: '/api/admin/devices/{id}/revoke', summary: "Revoke a device's credential", auth: 'admin', answer: 'json' },
  {
    method: 'get',
    path: '/outpost-ca.cer',
    summary: 'The certificate (DER, application/x-x509-ca-cert) a phone installs to trust this server over HTTPS; 404 when there is none',
    auth: 'none',
    answer: 'bytes',
  },
  { method: 'get', path: '/console', summary: 'The console page (sign-in form when signed out)', auth: 'none', answer: 'html' },
  { method: 'post', path: '/console/login', summary: 'Sign in with the organisation admin key', auth: 'none', body: 'form', answer: 'html' },
  { method: 'post', path: '/console/logout', summary: 'Sign out (ends the session)', auth: 'session', body: 'form', answer: 'html' },
  { method: 'post', path: '/console/codes', summary: 'A new enrollment code', auth: 'session', body: 'form', answer: 'html' },
  { method: 'get', path: '/console/versions/{id}', summary: "A model version's history and aliases", auth: 'session', answer: 'html' },
  {
    method: 'post',
    path: '/console/versions/{id}/alias',
    summary: 'Point an alias (champion, challenger) at a version',
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/proposals/{id}',
    summary: 'Approve or reject a proposal (ML leads and admins)',
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/people',
    summary: 'Add a person with a role (admins); shows their key once',
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/people/{id}/revoke',
    summary: "Revoke a person's key and sessions (admins)",
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/models/import',
    summary: 'The page to import a model trained elsewhere (ML leads and admins)',
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/models/import',
    summary: 'Import a model: the file(s) and the same fields as import-model; shows the new version or the sentence',
    auth: 'session',
    body: {
      multipart: {
        file: 'The model file(s)',
        csrf: 'The form token',
        name: 'Model name',
        labels: 'Labels, comma-separated, in output order',
        columns: 'Column names, comma-separated',
        columnsFrom: 'JSON {"columns", "mean", "std"}',
        tensorShape: 'Item shape without the batch, comma-separated',
        scale: 'x * scale + offset',
        offset: 'x * scale + offset',
        output: 'probabilities, logits or value',
        projectId: 'The project (empty: one named after the model)',
      },
    },
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/versions/{id}/ratings',
    summary: "Human evaluation of a version's project: blind rating studies with their results, and the version's human baseline",
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/projects/{projectId}/deployment',
    summary: "A project's deployment: what it says, its history, the figures per arm, and the devices that have not picked up its latest revision",
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/projects/{projectId}/deployment',
    summary: 'Change the deployment (ML leads and admins; compare-and-set on expectedRevision)',
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'post',
    path: '/console/projects/{projectId}/deployment/action',
    summary: "The canary's next step, blue-green's switch, or roll back (action = advance, switch or rollback; ML leads and admins)",
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/projects/{projectId}/plan',
    summary: "A project's plan: its machine learning canvas as the field wrote it (read-only)",
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/projects/{projectId}/data',
    summary:
      "A project's data: each dataset's columns (personal ones marked, never their values), data tests and the current version's check, versions and whether their rows are shared, and the labels with agreement and disagreements (read-only)",
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/projects/{projectId}/data/{datasetId}/labels.csv',
    summary: 'Every label of a dataset as CSV (text/csv: item, column, value, by, name, at, review), oldest first; labels of personal columns left out',
    auth: 'session',
    answer: 'bytes',
  },
  {
    method: 'get',
    path: '/console/versions/{id}/monitor',
    summary: "A model version's monitoring across the fleet: figures, charts, drift, fairness, devices",
    auth: 'session',
    answer: 'html',
  },
  {
    method: 'get',
    path: '/console/versions/{id}/export.zip',
    summary:
      'A model version as one zip (application/zip): manifest, weights, TensorFlow.js or ONNX files, pipeline, labels, thresholds, report, model card; see docs/registry.md',
    auth: 'session',
    answer: 'bytes',
  },
  {
    method: 'post',
    path: '/console/versions/{id}/stage',
    summary: "Move a model version's stage (compare-and-set)",
    auth: 'session',
    body: 'form',
    answer: 'html',
  },
];

const SECURITY: Record<Exclude<Auth, 'none'>, string> = { device: 'deviceToken', admin: 'adminToken', session: 'consoleSession' };

function requestBody(body: Operation['body']) {
  if (!body) return undefined;
  if (body === 'bytes') return { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  if (body === 'form') return { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } } } };
  if ('multipart' in body) {
    const properties = Object.fromEntries(
      Object.entries(body.multipart).map(([k, description]) => [
        k,
        k === 'file' ? { type: 'string', format: 'binary', description } : { type: 'string', description },
      ]),
    );
    return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties, required: ['file'] } } } };
  }
  return { required: true, content: { 'application/json': { schema: json(body) } } };
}

function okAnswer(answer: Operation['answer']) {
  if (answer === 'bytes') return { description: 'The bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  if (answer === 'html') return { description: 'A page', content: { 'text/html': { schema: { type: 'string' } } } };
  if (!answer || answer === 'json') return { description: 'OK', content: { 'application/json': { schema: {} } } };
  return { description: 'OK', content: { 'application/json': { schema: json(answer) } } };
}

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { enum: Object.keys(ERROR_CODES) }, message: { type: 'string', description: 'A sentence that says what to do' }, details: {} },
    },
  },
};

/** The OpenAPI 3.1 document for a server of this version. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...(op.path.match(/\{(\w+)\}/g) ?? [])].map((p) => ({ name: p.slice(1, -1), in: 'path', required: true, schema: { type: 'string' } }));
    for (const q of op.query ?? [])
      params.push({ name: q.name, in: 'query', required: q.required ?? false, schema: { type: 'string' }, description: q.description } as never);
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(op.auth === 'none' ? { security: [] } : { security: [{ [SECURITY[op.auth]]: [] }] }),
      ...(op.body ? { requestBody: requestBody(op.body) } : {}),
      responses: {
        [op.created ? '201' : '200']: okAnswer(op.answer),
        '4XX': {
          description: 'Bad input, credentials, limits (413), throttles (429, with Retry-After)',
          content: { 'application/json': { schema: ErrorBody } },
        },
        '503': { description: 'The database cannot be reached; nothing was saved; try again', content: { 'application/json': { schema: ErrorBody } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Outpost server', version, description: 'Sync, blobs, enrollment, the admin API and the console. See docs/server.md and docs/sync.md.' },
    components: {
      // The record of each synced table (a change's fields; a pulled record's data), as the server checks it.
      schemas: Object.fromEntries(
        Object.entries(SYNC_TABLES).map(([t, spec]) => [
          t,
          { ...json(spec.schema), description: `Synced table ${t} (${spec.policy}, protocol ${spec.since} and later; this server speaks ${PROTOCOL.version})` },
        ]),
      ),
      securitySchemes: {
        deviceToken: { type: 'http', scheme: 'bearer', description: 'The credential a device got when it enrolled' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The server admin token (OUTPOST_ADMIN_TOKEN)' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'outpost_session',
          description: 'A console session after signing in with an organisation admin key',
        },
      },
    },
    paths,
  };
}
