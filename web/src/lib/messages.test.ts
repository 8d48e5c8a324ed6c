import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { OutpostError } from '@shared/errors.js';
import { userMessage } from './messages.js';
import { fetchTransport, SyncError } from './sync/transport.js';
import { SaidError } from './said-error.js';
import { speakWith } from './i18n/speaking.js';
import en from './i18n/catalogues/en.js';
import fr from './i18n/catalogues/fr.js';
import ha from './i18n/catalogues/ha.js';
import sw from './i18n/catalogues/sw.js';
import { OutpostDb } from './db/db.js';
import { newId } from './db/mutate.js';
import { createProject } from './db/projects.js';
import { dropRowsWithMissing } from './db/dataset-versions.js';
import { parseFileBlob } from './data/parse-file.js';
import { parseCsvFile } from './data/csv.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { english } from './i18n/speaking.js';
import { inProcessWorker } from './ml/in-process-worker.js';
import { train } from './ml/client.js';
import { TfjsRuntime } from './ml/tfjs-runtime.js';
import { loadSample, sampleParams } from './ml/test-data.js';
import { keepEvaluation } from './monitor/evaluate.js';
import { describeFailure } from './sync/status.js';
import { syncMessage, syncView } from '../app/sync-view.js';

afterEach(() => speakWith('en', en));

/** What `p` was rejected with. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('userMessage', () => {
  it('gives every screen a sentence: sync errors as the engine words them, storage trouble without internals', () => {
    const busy = new SyncError('rate_limited', 'Too many requests', true);
    expect(userMessage(busy)).toMatch(/server is busy/);
    // Said by its code (the server's own English is only for a code this app does not know).
    expect(userMessage(new SyncError('enrollment_code_invalid', 'Some other English.', false))).toBe(
      'That enrollment code is not known, has already been used or has expired. Check it with your coordinator and type it again, or ask for a new one.',
    );
    expect(userMessage(new OutpostError('csv_empty', 'The file is empty.'))).toBe('The file is empty.');
    const full = new Dexie.AbortError('Transaction aborted', new DOMException('quota', 'QuotaExceededError'));
    expect(userMessage(full)).toMatch(/out of storage space.*Nothing already saved was lost/);
    const closed = new Dexie.DatabaseClosedError('Database has been closed');
    expect(userMessage(closed)).toMatch(/^This device could not read or save its data \(DatabaseClosedError\)\. Reload the page/);
    expect(userMessage(new Error('Give the project a name.'))).toBe('Give the project a name.');
  });

  it('says a translatable error in the language on screen, and keeps its English message for logs and tests', async () => {
    const db = new OutpostDb(`messages-${newId()}`);
    const noName = await rejection(createProject(db, '  '));
    const notHere = await rejection(dropRowsWithMissing(db, 'no-such-dataset'));
    expect((noName as Error).message).toBe('Give the project a name.');
    expect((notHere as Error).message).toBe('This dataset is not on this device.');
    expect(userMessage(notHere)).toBe('This dataset is not on this device.');

    speakWith('fr', fr);
    expect(userMessage(noName)).toBe('Donnez un nom au projet.');
    expect(userMessage(notHere)).toBe('Ce jeu de données n’est pas sur cet appareil.');
    const refused = new SaidError('conflict', { key: 'error.deleteProduction', values: { model: 'Triage', version: 3 } });
    expect(refused.message).toBe('Triage version 3 is in production. Move another version to production (or archive this one) first, then delete it.');
    expect(userMessage(refused)).toBe(
      'Triage version 3 est en production. Mettez d’abord une autre version en production (ou archivez celle-ci), puis supprimez-la.',
    );
    expect(JSON.stringify(refused)).not.toContain('said');
    const full = new Dexie.AbortError('Transaction aborted', new DOMException('quota', 'QuotaExceededError'));
    expect(userMessage(full)).toBe(fr['error.storageFull']);
    expect(userMessage(new Dexie.DatabaseClosedError('closed'))).toMatch(/^Cet appareil n’a pas pu lire ou enregistrer ses données \(DatabaseClosedError\)/);
    // Words that come from elsewhere (the server's sentence, a plain error) stay as they came.
    expect(userMessage(new OutpostError('csv_empty', 'The file is empty.'))).toBe('The file is empty.');

    // The sync engine's own words travel with its failure: a server that cannot be reached.
    const unreachable = await rejection(fetchTransport('http://127.0.0.1:9', undefined, 5_000).request('GET', '/api/sync/pull'));
    expect((unreachable as Error).message).toBe(
      'The server at http://127.0.0.1:9 could not be reached (no connection). Your work is kept on this device and will sync later.',
    );
    expect(userMessage(unreachable)).toBe(
      'Le serveur http://127.0.0.1:9 est injoignable (pas de connexion). Votre travail est gardé sur cet appareil et se synchronisera plus tard.',
    );

    speakWith('ha', ha);
    expect(userMessage(new SyncError('unauthorized', 'Device token revoked', false))).toBe(ha['sync.failure.revoked']);
    expect(userMessage(new SyncError('rate_limited', 'Too many requests', true))).toBe(ha['sync.failure.busy']);
    await db.delete();
  });

  it('says an import refusal in the language on screen, also when the file reader in its worker words it', async () => {
    const empty = await rejection(parseFileBlob(new Blob([]), { fileName: 'visits.csv' }));
    expect((empty as Error).message).toBe('The file is empty. Choose a file with a header row and at least one row of data.');
    const oneColumn = await rejection(parseFileBlob(new Blob(['age\n34\n']), { fileName: 'visits.csv' }));
    // What the worker posts back: the code, the English and the message; the page says it.
    const post = (m: unknown) => ({ data: m }) as MessageEvent;
    const answer = { type: 'error', code: (oneColumn as OutpostError).code, message: (oneColumn as Error).message, said: (oneColumn as SaidError).said };
    const fake = () => {
      const w: { onmessage: ((ev: MessageEvent) => void) | null; onerror: null; terminate(): void; postMessage(): void } = {
        onmessage: null,
        onerror: null,
        terminate: () => {},
        postMessage: () => queueMicrotask(() => w.onmessage?.(post(answer))),
      };
      return w as unknown as Worker;
    };
    const fromWorker = await rejection(parseCsvFile(new Blob(['age\n34\n']), undefined, { fileName: 'visits.csv', createWorker: fake }));
    speakWith('sw', sw);
    expect(userMessage(empty)).toBe(sw['error.fileEmpty']);
    expect(userMessage(fromWorker)).toBe(sw['error.csvOneColumn']);
    expect((fromWorker as Error).message).toMatch(/^Only one column was found\./);
  });

  it('says the training worker’s refusals in the language on screen: the worker posts the message beside the English', async () => {
    const worker = await inProcessWorker(() => import('./ml/train.worker.js'));
    const cancer = loadSample('breast_cancer');
    const params = sampleParams(cancer, 'classification', 'diagnosis', { epochs: 1 });
    const odd = await rejection(train({ rows: cancer.rows, columns: cancer.columns, params: { ...params, epochs: 0 } }, {}, worker.create).promise);
    const oneLabel = await rejection(
      train({ type: 'train-photos', photos: [], classes: ['cat'], side: 8, params: { ...params, target: 'label' }, backend: 'cpu' }, {}, worker.create).promise,
    );
    expect((oneLabel as Error).message).toBe('Photos of at least two different labels are needed to train; label some photos first.');
    expect((oneLabel as OutpostError).code).toBe('dataset_invalid');
    expect((odd as Error).message).toMatch(/^The training request was not understood \(.+\)\. Reload the page and try again\.$/);
    speakWith('fr', fr);
    expect(userMessage(oneLabel)).toBe(fr['error.photoTwoLabels']);
    expect(userMessage(odd)).toMatch(/^La demande d’entraînement n’a pas été comprise \(.+\)\. Rechargez la page/);
  });

  it('says the monitor’s, the model loader’s and sync’s sentences in the language on screen, with their English unchanged', async () => {
    const notTfjs = await rejection(TfjsRuntime.load({ artifacts: { format: 'onnx' } } as unknown as Parameters<typeof TfjsRuntime.load>[0]));
    const production = await rejection(keepEvaluation(new OutpostDb(`m-${newId()}`), { stage: 'production' } as ModelVersion, {} as never));
    expect((production as Error).message).toBe('The production version keeps its report; evaluate a new version, then promote it.');
    // The plural keeps the English the monitor wrote before ("input" / "inputs"; the apostrophe stays).
    const lacks = (count: number, inputs: string) => english({ key: 'error.evalLacksInputs', values: { dataset: 'Visits', count, inputs } });
    expect(lacks(1, '“age”')).toBe("The dataset “Visits” lacks the model's input “age”.");
    expect(lacks(2, '“age”, “sex”')).toBe("The dataset “Visits” lacks the model's inputs “age”, “sex”.");
    const checksum = describeFailure(SyncError.worded('blob_hash_mismatch', { key: 'sync.failure.checksum' }, true));
    expect(checksum.message).toBe('A downloaded model did not match its checksum and was discarded; it will be downloaded again. Sync will try again.');
    const refused = { key: 'sync.summary.refused', values: { count: 3 } } as const;
    expect(english(refused)).toBe('3 change(s) were refused by the server and not synced; they are listed in Settings with the reason.');
    const after = syncView({ engine: { name: 'pending', message: english(refused), said: refused, pending: 3, lastSyncedAt: 1 }, online: true, pending: 3 });
    speakWith('ha', ha);
    expect(userMessage(notTfjs)).toBe(ha['error.notTfjs']);
    expect(userMessage(production)).toBe(ha['error.evalProduction']);
    expect(userMessage(SyncError.worded('blob_hash_mismatch', { key: 'sync.failure.checksum' }, true))).toBe(ha['sync.failure.checksumRetry']);
    expect(syncMessage(after)).toEqual(refused);
    // Nothing waiting any more: the count sentence goes with the state.
    expect(
      syncMessage(syncView({ engine: { name: 'pending', message: english(refused), said: refused, pending: 3, lastSyncedAt: 1 }, online: true, pending: 0 })),
    ).toBeNull();
  });
});
