import { describe, expect, it } from 'vitest';
import { ModelVersion } from '../schema/records.js';
import { automaticLimits, modelCardHtml, SLICE_FLOOR } from './model-card.js';
import { binaryReport, binaryVersion } from './bundle.testing.js';

const version = binaryVersion('a'.repeat(64), 4096);
const text = (page: string) =>
  page
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([,.:;)])/g, '$1');

describe('model card', () => {
  it('the fixture is a valid version with a real report', () => {
    expect(ModelVersion.safeParse(version).success).toBe(true);
    expect(binaryReport.evaluation.n).toBe(60);
  });

  it('escapes every value: a name, a card text and a category cannot add markup or a script', () => {
    const evil = binaryVersion('a'.repeat(64), 4096, {
      modelName: '<script>alert(1)</script>',
      card: { intendedUse: 'Triage of <img src=x onerror=alert(2)> adults', limitations: 'Not "children" & not \'elders\'' },
      pipeline: {
        ...version.pipeline,
        features: [{ name: 'clinic"><b>x</b>', kind: 'categorical', categories: ['</td><script>bad()</script>', 'b'], impute: 'b' }],
      },
    });
    const page = modelCardHtml(evil, { name: '<i>Clinic</i>', description: '</section><form action=/steal>' });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img|<form|<b>|<i>/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('Triage of &lt;img src=x onerror=alert(2)&gt; adults');
    expect(page).toContain('Not &quot;children&quot; &amp; not &#39;elders&#39;');
    expect(page).toContain('clinic&quot;&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(page).toContain('&lt;/section&gt;&lt;form action=/steal&gt;');
    // And no script could run even so: the page forbids everything but its own inline style.
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('shows the key numbers: test metrics beside the baseline, slices with intervals and resamples, threshold, costs, quantization', () => {
    const page = text(modelCardHtml(version, { name: 'Clinic triage' }));
    const e = binaryReport.evaluation;
    const b = binaryReport.baseline;
    if (e.task !== 'classification' || b?.strategy !== 'most_frequent') throw new Error('fixture');
    expect(page).toContain('triage');
    expect(page).toContain('version 3');
    expect(page).toContain('staging');
    expect(page).toContain('2026-01-15 09:30 UTC');
    expect(page).toContain('Clinic triage');
    expect(page).toMatch(new RegExp(`accuracy\\s+${e.accuracy.toFixed(3)}\\s+${b.accuracy.toFixed(3)}`));
    expect(page).toMatch(new RegExp(`log loss\\s+${e.logLoss.toFixed(3)}\\s+${b.logLoss.toFixed(3)}`));
    expect(page).toContain('On 60 test rows kept apart from training');
    const clinic = binaryReport.slices.find((s) => s.column === 'clinic')!;
    for (const s of clinic.slices) expect(page).toContain(`${s.low!.toFixed(3)} – ${s.high!.toFixed(3)}`);
    expect(page).toContain('1000 resamples (seed 9)');
    expect(page).toContain('0.350');
    expect(page).toContain('a missed case costing 20 and a false alarm costing 1');
    expect(page).toContain('an expected cost of 0.813 per case');
    expect(page).toContain('accuracy on the test rows: 0.850 with the full weights, 0.833 with these (-0.0167)');
    expect(page).toContain('Training rows: 200');
    expect(page).toContain('Test rows (kept apart from training): 60');
    expect(page).toMatch(/size\s+numeric\s+mean 5\.900, standard deviation 2\.900/);
    expect(page).toContain('3 categories: east, north, south');
    expect(page).toContain('one of 2 labels: benign, malignant');
    expect(page).toContain('Trained in Outpost (run run-1)');
  });

  it('says where a date part or a text length comes from', () => {
    const dated = binaryVersion('a'.repeat(64), 4096, {
      pipeline: {
        ...version.pipeline,
        version: 2,
        features: [
          { name: 'visit (weekday)', kind: 'numeric', mean: 4, std: 2, impute: 4, source: { column: 'visit', part: 'weekday', order: 'dmy' } },
          { name: 'note (words)', kind: 'numeric', mean: 6, std: 3, impute: 6, source: { column: 'note', part: 'words' } },
        ],
      },
    });
    expect(ModelVersion.safeParse(dated).success).toBe(true);
    const page = text(modelCardHtml(dated));
    expect(page).toContain('the weekday (1 is Monday) of “visit”, dates such as 03/04/2024 read day first; mean 4.000');
    expect(page).toContain('the number of words of “note”; mean 6.000');
  });

  it('says when no one has written the intended use or limitations, and shows them when written', () => {
    expect(text(modelCardHtml(version))).toContain('No intended use has been written for this version yet');
    expect(text(modelCardHtml(version))).toContain('No list of limitations has been written');
    const written = binaryVersion('a'.repeat(64), 4096, { card: { intendedUse: 'Adults at the clinic.\n\nSecond paragraph.', limitations: '' } });
    const page = modelCardHtml(written);
    expect(page).toContain('<p>Adults at the clinic.</p>');
    expect(page).toContain('<p>Second paragraph.</p>');
    expect(page).not.toContain('No intended use');
    expect(page).toContain('No list of limitations');
  });

  it('states the limits it can see: few test rows, thin slices, a quantization that lost accuracy, no test report', () => {
    const limits = automaticLimits(version);
    expect(limits).toContain('Only 60 test rows: every figure here is uncertain.');
    const clinic = binaryReport.slices.find((s) => s.column === 'clinic')!;
    expect(clinic.slices.every((s) => s.n < SLICE_FLOOR)).toBe(true);
    expect(limits.some((l) => l.startsWith('clinic: ') && l.includes(`fewer than ${SLICE_FLOOR} test rows`))).toBe(true);
    expect(limits.some((l) => l.includes('float16 weights lose 0.017 of accuracy'))).toBe(true);
    const unevaluated = binaryVersion('a'.repeat(64), 4096, { evaluation: undefined, quantized: undefined });
    expect(automaticLimits(unevaluated)).toEqual(['It was not evaluated on rows kept apart from training: how it does on new cases is not known.']);
    expect(text(modelCardHtml(unevaluated))).toContain('This version has no report on a test split.');
  });

  it('names an imported file as the origin, and a tensor input', () => {
    const imported = binaryVersion('a'.repeat(64), 4096, {
      runId: undefined,
      imported: { fileName: 'mnist.onnx', format: 'onnx', by: 'Ama', at: Date.UTC(2026, 1, 1) },
      artifacts: {
        format: 'onnx',
        inputName: 'x',
        outputName: 'y',
        input: { kind: 'tensor', shape: [1, 28, 28], scale: 1 / 255, offset: 0, layout: 'nchw' },
        output: 'logits',
        producer: 'pytorch 2.3.0',
        opset: 17,
      },
    });
    const page = text(modelCardHtml(imported));
    expect(page).toContain('Imported from the file mnist.onnx (onnx) by Ama on 2026-02-01 00:00 UTC. Made by pytorch 2.3.0, opset 17.');
    expect(page).toContain('Reads one tensor of shape [1 × 28 × 28] (nchw)');
    expect(page).toContain('ONNX');
  });
});
