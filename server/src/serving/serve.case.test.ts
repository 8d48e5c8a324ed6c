// Serving and importing on both stores, through the CLI's function and app.request(): the real
// breast-cancer ONNX model (PyTorch, opset 17) must answer as native onnxruntime did, to 1e-5, as
// columns and as a tensor; a TensorFlow.js model trained here answers on the server as the
// device's Predictor + loadTfjs does in-process; every bad file or declaration is refused with its
// sentence and stores nothing; predictions are logged as records with sequence numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { strToU8, zipSync } from 'fflate';
import { PERSON_HEADER, PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { loadTfjs } from '@shared/runtime/tfjs.js';
import { mulberry32 } from '@shared/data/random.js';
import { transformRows } from '@shared/features/pipeline.js';
import type { ModelVersion, Prediction, TfjsArtifacts } from '@shared/schema/records.js';
import { createApp } from '../app.js';
import { STORES } from '../store/test-stores.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { createPerson, createPersonSession, personForKey } from '../store/people.js';
import { createConsoleSession } from '../store/sessions.js';
import { readBlob } from '../store/blobs.js';
import { importModel } from '../store/imports.js';
import { writeBundle } from '@shared/registry/bundle.js';
import { importFromArgs } from '../import-args.js';
import { formToken } from '../middleware/csrf.js';
import { T0 } from '../store/fixtures.js';
import { cpuBackend } from './loader.js';

const dir = fileURLToPath(new URL('../../../models/', import.meta.url));
const onnx = new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.onnx'));
const metaText = readFileSync(dir + 'breast_cancer_mlp.json', 'utf8');
const meta = JSON.parse(metaText) as { columns: string[]; labels: string[]; raw_rows: number[][]; standardised_inputs: number[][]; probabilities: number[][] };
const rows = meta.raw_rows.map((r) => Object.fromEntries(meta.columns.map((c, i) => [c, r[i]])));
// An ir_version 8 model whose default-domain opset is 99 (no runtime runs that yet).
const opset99 = new Uint8Array([0x08, 0x08, 0x42, 0x04, 0x0a, 0x00, 0x10, 99, 0x3a, 0x00, 0x3a, 0x00, 0x3a, 0x00, 0x3a, 0x00]);
const rng = mulberry32(7);
const FILES: Record<string, Uint8Array> = {
  'cancer.onnx': onnx,
  'cancer.json': strToU8(metaText),
  'cut.onnx': onnx.subarray(0, onnx.length - 100),
  'noise.onnx': Uint8Array.from({ length: 4096 }, () => Math.floor(rng() * 256)),
  'opset99.onnx': opset99,
  'graph/model.json': strToU8(
    JSON.stringify({
      format: 'graph-model',
      modelTopology: { node: [], versions: { producer: 1 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    }),
  ),
};
const read = (p: string) => {
  const f = FILES[p];
  if (!f) throw new Error(`no ${p}`);
  return f;
};
const LABELS = meta.labels.join(',');
const OPTS = { now: T0, appVersion: 'test' };

function maxDiff(preds: { probabilities?: Record<string, number> }[], want: number[][], labels = meta.labels): number {
  expect(preds.length).toBe(want.length);
  let m = 0;
  preds.forEach((p, i) => labels.forEach((l, j) => (m = Math.max(m, Math.abs(p.probabilities![l] - want[i][j])))));
  return m;
}

/** A small TensorFlow.js classifier trained here (seeded), saved as TensorFlow.js saves it: model.json and a .bin, zipped. */
async function trainedTfjs(): Promise<{
  zip: Uint8Array;
  model: tfl.LayersModel;
  artifacts: Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs'>;
  weights: ArrayBuffer;
}> {
  await cpuBackend();
  const r = mulberry32(11);
  const x = Array.from({ length: 96 }, () => [r() * 4 - 2, r() * 4 - 2, r() * 4 - 2]);
  const y = x.map(([a, b, c]) => (a + b > c ? [0, 1] : [1, 0]));
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(x);
  const ys = tf.tensor2d(y);
  await model.fit(xs, ys, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const weights = saved!.weightData as ArrayBuffer;
  const weightSpecs = saved!.weightSpecs as TfjsArtifacts['weightSpecs'];
  const modelJson = {
    format: 'layers-model',
    modelTopology: saved!.modelTopology,
    weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: weightSpecs }],
  };
  const zip = zipSync({ 'mine/model.json': strToU8(JSON.stringify(modelJson)), 'mine/group1-shard1of1.bin': new Uint8Array(weights) });
  return { zip, model, artifacts: { modelTopology: saved!.modelTopology, weightSpecs }, weights };
}

describe.each(STORES)('serving and importing: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let orgId: string;
  let device: string;
  let outsider: string;
  const ADMIN = 'serve-admin-token-0123456789';

  async function enroll(org: string) {
    const { code } = await createEnrollmentCode(db, org, 1, T0);
    const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'phone' }) });
    return ((await res.json()) as { token: string }).token;
  }
  const predict = (token: string, id: string, body: unknown, extra: Record<string, string> = {}) =>
    app.request(`/api/models/versions/${id}/predict`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version), 'content-type': 'application/json', ...extra },
    });
  const counts = async () => {
    const [r] = await db.query<{ records: number; blobs: number; predictions: number }>(
      `select (select count(*)::int from records where org_id = $1) as records, (select count(*)::int from blob_owners where org_id = $1) as blobs,
              (select count(*)::int from records where org_id = $1 and tbl = 'predictions') as predictions`,
      [orgId],
    );
    return r;
  };
  const logged = async (versionId: string) =>
    (
      await db.query<{ data: Prediction; seq: number }>(
        `select data, seq from records where org_id = $1 and tbl = 'predictions' and data->>'modelVersionId' = $2 order by seq`,
        [orgId, versionId],
      )
    ).map((r) => ({ ...r.data, seq: Number(r.seq) }));

  beforeAll(async () => {
    db = await factory.open();
    app = createApp({ db, config: { adminToken: ADMIN, version: 'test', failuresPerSource: 1e6, failuresPerTarget: 1e6 }, now: () => T0 });
    orgId = (await createOrg(db, 'Clinic')).org.id;
    device = await enroll(orgId);
    outsider = await enroll((await createOrg(db, 'Elsewhere')).org.id);
  });
  afterAll(async () => db?.drop());

  let tabularId: string;

  it('imports the ONNX model by the CLI with columns and scaling from its JSON, and answers its raw rows as native onnxruntime did', async () => {
    const v = await importFromArgs(db, [orgId, 'cancer.onnx', '--name', 'Breast cancer', '--columns-from', 'cancer.json', '--labels', LABELS], OPTS, read);
    tabularId = v.id;
    expect(v).toMatchObject({ modelName: 'Breast cancer', version: 1, stage: 'none', artifacts: { format: 'onnx', inputName: 'features', opset: 17 } });
    expect(v.pipeline.features).toHaveLength(30);
    expect((await readBlob(db, orgId, v.weightsHash))?.bytes).toEqual(onnx);
    const res = await predict(device, v.id, { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      predictions: { predictionId: string; label: string; probabilities: Record<string, number> }[];
      modelVersionId: string;
      latencyMs: number;
    };
    expect(body.modelVersionId).toBe(v.id);
    expect(maxDiff(body.predictions, meta.probabilities)).toBeLessThan(1e-5);
    expect(body.predictions.map((p) => p.label)).toEqual(meta.probabilities.map((p) => (p[0] > p[1] ? meta.labels[0] : meta.labels[1])));
    // Every answer is a record: source server, the model's own columns, increasing sequence numbers.
    const log = await logged(v.id);
    expect(log.map((p) => p.id)).toEqual(body.predictions.map((p) => p.predictionId));
    expect(new Set(log.map((p) => p.seq)).size).toBe(20);
    expect(log[0]).toMatchObject({ source: 'server', projectId: v.projectId, output: { label: body.predictions[0].label } });
    expect(Object.keys(log[0].inputs).sort()).toEqual([...meta.columns].sort());
    expect(log[0].inputs['mean radius']).toBe(meta.raw_rows[0][0]);
    // Devices pull the version (the server wrote it with a sequence number, like the project made for it).
    const pulled = (await (
      await app.request('/api/sync/pull?cursor=0&limit=1000', { headers: { authorization: `Bearer ${device}`, [PROTOCOL_HEADER]: String(PROTOCOL.version) } })
    ).json()) as { records: { table: string; id: string; data: { name?: string } }[] };
    expect(pulled.records.find((r) => r.table === 'model_versions' && r.id === v.id)).toBeDefined();
    expect(pulled.records.find((r) => r.table === 'projects' && r.id === v.projectId)?.data.name).toBe('Breast cancer');
    // Columns the model does not read are ignored; a missing one takes its fill-in value.
    const extra = await predict(device, v.id, { rows: [{ ...rows[0], ward: 'B' }] });
    expect(maxDiff(((await extra.json()) as { predictions: never[] }).predictions, [meta.probabilities[0]])).toBeLessThan(1e-5);
  });

  it('imports it again with a tensor input of shape [30] (its next version) and answers the standardised rows', async () => {
    const before = await counts();
    const v = await importFromArgs(db, [orgId, 'cancer.onnx', '--name', 'Breast cancer', '--tensor-shape', '30', '--labels', LABELS], OPTS, read);
    expect(v.version).toBe(2);
    expect((await counts()).blobs).toBe(before.blobs); // the same bytes: one blob
    const res = await predict(device, v.id, { inputs: { features: meta.standardised_inputs } });
    expect(res.status).toBe(200);
    expect(maxDiff(((await res.json()) as { predictions: never[] }).predictions, meta.probabilities)).toBeLessThan(1e-5);
    const log = await logged(v.id);
    expect(log).toHaveLength(20);
    expect(log[0].inputs.features).toMatch(/^tensor \[30\] sha256:[0-9a-f]{64}$/);
    expect(log[0].inputs.features).not.toBe(log[1].inputs.features);

    // Refused before the model runs: nothing logged.
    const n = (await counts()).predictions;
    const wrongName = await predict(device, v.id, { inputs: { pixels: meta.standardised_inputs } });
    expect(wrongName.status).toBe(400);
    expect(((await wrongName.json()) as { error: { message: string } }).error.message).toMatch(/input is called “features”/);
    const wrongShape = await predict(device, v.id, { inputs: { features: [meta.standardised_inputs[0].slice(0, 29)] } });
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { error: { message: string } }).error.message).toMatch(/input shape \[30\]/);
    const rowsToTensor = await predict(device, v.id, { rows });
    expect(((await rowsToTensor.json()) as { error: { message: string } }).error.message).toMatch(/send "inputs"/);
    for (const junk of [{}, { rows: [] }, { rows, inputs: {} }, { rows: [{ a: { b: 1 } }] }, [1, 2], { inputs: { a: [1], b: [2] } }]) {
      const r = await predict(device, v.id, junk);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(20);
    }
    expect((await predict(device, v.id, { rows: Array.from({ length: 10_001 }, () => ({})) })).status).toBe(400);
    expect((await counts()).predictions).toBe(n);
  });

  it('refuses what is not the version of this organisation, or an expired person; an archived version still answers, a deleted one does not', async () => {
    const other = await predict(outsider, tabularId, { rows });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/no model version with that id in your organisation/);
    expect((await predict(device, 'no-such-version', { rows })).status).toBe(404);
    expect((await predict(device, tabularId, { rows }, { [PERSON_HEADER]: 'ops_not-a-session' })).status).toBe(401);
    const { key } = await createPerson(db, orgId, 'Ada', 'field');
    const deviceId = (await db.query<{ id: string }>(`select id from devices where org_id = $1`, [orgId]))[0].id;
    const { token } = await createPersonSession(db, (await personForKey(db, key))!, deviceId, T0);
    expect((await predict(device, tabularId, { rows: rows.slice(0, 1) }, { [PERSON_HEADER]: token })).status).toBe(200);

    const set = (patch: object) =>
      db.query(`update records set data = data || $3::jsonb where org_id = $1 and tbl = 'model_versions' and id = $2`, [
        orgId,
        tabularId,
        JSON.stringify(patch),
      ]);
    await set({ stage: 'archived' });
    expect((await predict(device, tabularId, { rows: rows.slice(0, 1) })).status).toBe(200);
    await set({ deleted: true });
    expect((await predict(device, tabularId, { rows: rows.slice(0, 1) })).status).toBe(404);
    await set({ deleted: false });
  });

  it('imports a model exported from Outpost (a bundle) with its own declaration, into a project named as the one it came from', async () => {
    const stored = (
      await db.query<{ data: ModelVersion }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, tabularId])
    )[0].data;
    const bundle = writeBundle({ version: stored, weights: onnx, project: { name: 'Oncology ward' } });
    const v = await importFromArgs(db, [orgId, 'bundle.zip'], OPTS, (p) => (p === 'bundle.zip' ? bundle : read(p)));
    expect(v.id).not.toBe(stored.id);
    expect(v).toMatchObject({
      modelName: 'Breast cancer',
      version: 1,
      stage: 'none',
      imported: { fileName: 'bundle.zip', format: 'onnx' },
      pipeline: stored.pipeline,
    });
    const project = await db.query<{ data: { name: string } }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [
      orgId,
      v.projectId,
    ]);
    expect(project[0].data.name).toBe('Oncology ward');
    const res = await predict(device, v.id, { rows });
    expect(maxDiff(((await res.json()) as { predictions: never[] }).predictions, meta.probabilities)).toBeLessThan(1e-5);
    const renamed = await importFromArgs(db, [orgId, 'bundle.zip', '--name', 'Renamed', '--project', v.projectId], OPTS, (p) =>
      p === 'bundle.zip' ? bundle : read(p),
    );
    expect(renamed).toMatchObject({ modelName: 'Renamed', version: 1, projectId: v.projectId });
    // The weights are stored as they are: change one byte of them inside the zip.
    const damaged = bundle.slice();
    const at = Buffer.from(bundle).indexOf(Buffer.from(onnx.subarray(0, 64)));
    expect(at).toBeGreaterThan(0);
    damaged[at + 1000] ^= 0xff;
    const before = await counts();
    await expect(importFromArgs(db, [orgId, 'bad.zip'], OPTS, () => damaged)).rejects.toThrow(/damaged|SHA-256|not a zip/);
    expect(await counts()).toEqual(before);
  });

  it('refuses every bad file or declaration with its sentence, and stores nothing', async () => {
    const before = await counts();
    const cases: [string[], RegExp][] = [
      [['cut.onnx', '--name', 'x', '--columns-from', 'cancer.json'], /damaged or cut short|cannot run/],
      [['noise.onnx', '--name', 'x', '--columns-from', 'cancer.json'], /not (a whole )?(an )?ONNX|damaged|cannot run/],
      [['opset99.onnx', '--name', 'x', '--columns-from', 'cancer.json'], /needs ONNX opset 99; Outpost runs up to opset 23/],
      [['cancer.onnx', '--name', 'x', '--columns-from', 'cancer.json', '--labels', 'a,b,c'], /does not match the 3 labels given/],
      [['cancer.onnx', '--name', 'x', '--columns', 'a,b,c', '--labels', LABELS], /the mapped columns make 3 values per row/],
      [['cancer.onnx', '--name', 'x', '--tensor-shape', '29', '--labels', LABELS], /declared item shape \[29\] does not fit/],
      [['cancer.onnx', '--name', 'x', '--tensor-shape', '30', '--labels', LABELS, '--input-name', 'pixels'], /no input “pixels”/],
      [['graph/model.json', '--name', 'x', '--columns', 'a,b,c', '--labels', 'a,b'], /graph model; Outpost imports Layers models/],
      [['cancer.onnx', '--name', 'x', '--labels', LABELS], /Say how the model reads its input/],
      [['cancer.onnx', '--name', 'x', '--columns-from', 'cancer.json', '--project', 'no-such-project'], /no such project/],
      [['cancer.onnx', '--columns-from', 'cancer.json', '--bogus', '1'], /Unknown option --bogus/],
    ];
    for (const [args, sentence] of cases) await expect(importFromArgs(db, [orgId, ...args], OPTS, read), args.join(' ')).rejects.toThrow(sentence);
    await expect(importFromArgs(db, ['no-such-org', 'cancer.onnx', '--name', 'x', '--columns-from', 'cancer.json'], OPTS, read)).rejects.toThrow(
      /no organisation with that id/,
    );
    expect(await counts()).toEqual(before);
  });

  it('serves a TensorFlow.js model trained here exactly as the device runs it (Predictor + loadTfjs), and the model itself', async () => {
    const { zip, model, weights } = await trainedTfjs();
    const spec = {
      modelName: 'Sums',
      task: 'classification' as const,
      labels: ['no', 'yes'],
      input: { kind: 'tabular' as const, columns: ['a', 'b', 'c'].map((name) => ({ name, kind: 'numeric' as const, mean: 0, std: 1 })) },
    };
    const v = await importModel(db, orgId, { fileName: 'sums.zip', bytes: zip, spec, by: 'test' }, OPTS);
    expect(v.artifacts.format).toBe('tfjs-layers');
    expect(v.imported).toMatchObject({ fileName: 'sums.zip', format: 'tfjs-layers', by: 'test' });
    const r = mulberry32(3);
    const some = Array.from({ length: 25 }, () => ({ a: r() * 4 - 2, b: r() * 4 - 2, c: r() * 4 - 2 }));
    const res = await predict(device, v.id, { rows: some });
    expect(res.status).toBe(200);
    const served = ((await res.json()) as { predictions: { probabilities: Record<string, number> }[] }).predictions;
    // The device's way: the version record and its weights, through the shared Predictor.
    const stored = (
      await db.query<{ data: ModelVersion }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, v.id])
    )[0].data;
    const onDevice = new Predictor(stored, await loadTfjs(stored.artifacts as TfjsArtifacts, weights));
    const local = await onDevice.predictRows(some);
    onDevice.dispose();
    expect(
      maxDiff(
        served,
        local.map((o) => ['no', 'yes'].map((l) => o.probabilities![l])),
        ['no', 'yes'],
      ),
    ).toBeLessThan(1e-5);
    const direct = tf.tidy(() => (model.predict(tf.tensor2d(transformRows(stored.pipeline, some), [25, 3])) as tf.Tensor).arraySync() as number[][]);
    expect(maxDiff(served, direct, ['no', 'yes'])).toBeLessThan(1e-5);
    model.dispose();

    // The same zip declared as a tensor input: the key of "inputs" is the model's input name.
    const t = await importModel(
      db,
      orgId,
      { fileName: 'sums.zip', bytes: zip, spec: { ...spec, input: { kind: 'tensor', shape: [3], scale: 1, offset: 0 } } },
      OPTS,
    );
    expect(t.version).toBe(2);
    const wrong = await predict(device, t.id, { inputs: { x: [[0, 0, 0]] } });
    const name = /input is called “([^”]+)”/.exec(((await wrong.json()) as { error: { message: string } }).error.message)![1];
    const asTensor = await predict(device, t.id, { inputs: { [name]: some.map((s) => [s.a, s.b, s.c]) } });
    expect(maxDiff(((await asTensor.json()) as { predictions: never[] }).predictions, direct, ['no', 'yes'])).toBeLessThan(1e-5);

    // A zip without its weights, or with a model.json cut short: sentences, nothing stored.
    const before = await counts();
    const noBin = zipSync({ 'model.json': zip.subarray(0, 0), 'x.txt': strToU8('x') });
    await expect(importModel(db, orgId, { fileName: 'a.zip', bytes: noBin, spec }, OPTS)).rejects.toThrow(/neither a TensorFlow.js model|not valid JSON/);
    await expect(importModel(db, orgId, { fileName: 'a.zip', bytes: zip.subarray(0, zip.length - 40), spec }, OPTS)).rejects.toThrow(/damaged or cut short/);
    await expect(importModel(db, orgId, { fileName: 'a.zip', bytes: zip, spec: { ...spec, labels: ['a', 'b', 'c'] } }, OPTS)).rejects.toThrow(/3 labels/);
    expect(await counts()).toEqual(before);
  });

  it('imports from the console (multipart, with its form token) and from the admin API, or shows the sentence', async () => {
    const { sessionId } = await createConsoleSession(db, orgId, T0);
    const form = (fields: Record<string, string>, file?: Uint8Array) => {
      const f = new FormData();
      f.append('csrf', formToken(sessionId));
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      if (file) f.append('file', new Blob([file as Uint8Array<ArrayBuffer>]), 'cancer.onnx');
      return f;
    };
    const post = (body: FormData) =>
      app.request('/console/models/import', { method: 'POST', body, headers: { cookie: `outpost_session=${sessionId}`, origin: 'http://localhost' } });
    const page = await app.request('/console/models/import', { headers: { cookie: `outpost_session=${sessionId}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('enctype="multipart/form-data"');
    const ok = await post(form({ name: 'From console', labels: LABELS, columnsFrom: metaText }, onnx));
    const okText = await ok.text();
    expect(ok.status, okText).toBe(200);
    const id = /Version id: <code>([^<]+)<\/code>/.exec(okText)![1];
    expect(maxDiff(((await (await predict(device, id, { rows })).json()) as { predictions: never[] }).predictions, meta.probabilities)).toBeLessThan(1e-5);

    const before = await counts();
    const refused = await post(form({ name: 'From console', labels: 'a,b,c', columnsFrom: metaText }, onnx));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/does not match the 3 labels given/);
    const noToken = new FormData();
    noToken.append('file', new Blob([onnx]), 'cancer.onnx');
    expect((await post(noToken)).status).toBe(403);
    expect(await counts()).toEqual(before);

    const api = new FormData();
    api.append('file', new Blob([onnx]), 'cancer.onnx');
    const spec = { modelName: 'Via API', task: 'classification', labels: meta.labels, input: { kind: 'tensor', shape: [30], scale: 1, offset: 0 } };
    api.append('request', JSON.stringify({ spec }));
    const res = await app.request(`/api/admin/orgs/${orgId}/models`, { method: 'POST', body: api, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { id: string; version: number };
    expect(made.version).toBe(1);
    const answer = await predict(device, made.id, { inputs: { features: meta.standardised_inputs } });
    expect(maxDiff(((await answer.json()) as { predictions: never[] }).predictions, meta.probabilities)).toBeLessThan(1e-5);
  });
});
