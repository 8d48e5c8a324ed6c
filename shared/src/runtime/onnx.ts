import * as ort from 'onnxruntime-web';
import type { OnnxArtifacts } from '../schema/records.js';
import { OutpostError } from '../errors.js';
import type { Forward } from './predictor.js';
import type { ModelDescription, TensorInfo } from '../registry/import.js';

// In a browser the build maps 'onnxruntime-web' to its WASM-only bundle (vite.config.ts); in Node
// it resolves to ONNX Runtime Web's Node build, the same WASM engine, so both answer alike.
export { ort };

/** The newest default-domain opset this onnxruntime-web runs (1.30 runs up to 23). */
export const MAX_ONNX_OPSET = 23;

type OnnxTensorInfo = TensorInfo;

/** The header fields of an ONNX ModelProto: producer and default-domain opset (protobuf, read by hand). */
export function onnxHeader(bytes: Uint8Array): { producer?: string; opset?: number; irVersion?: number } {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new RangeError('truncated');
      const b = bytes[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new RangeError('bad varint');
  };
  const skip = (wire: number, end: number): void => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const n = varint(); // not `pos += varint()`: that adds to the position from before the length
      pos += n;
    } else throw new RangeError(`wire type ${wire}`);
    if (pos > end) throw new RangeError('truncated');
  };
  const text = (n: number) => new TextDecoder().decode(bytes.subarray(pos, (pos += n)));
  let producer = '';
  let producerVersion = '';
  let opset: number | undefined;
  let irVersion: number | undefined;
  const end = bytes.length;
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 1 && wire === 0) irVersion = varint();
    else if (field === 2 && wire === 2) producer = text(varint());
    else if (field === 3 && wire === 2) producerVersion = text(varint());
    else if (field === 8 && wire === 2) {
      // OperatorSetIdProto: domain (1, string), version (2, int64). The default domain is "" or "ai.onnx".
      const len = varint();
      const stop = pos + len;
      let domain = '';
      let version: number | undefined;
      while (pos < stop) {
        const k = varint();
        if (k >>> 3 === 1 && (k & 7) === 2) domain = text(varint());
        else if (k >>> 3 === 2 && (k & 7) === 0) version = varint();
        else skip(k & 7, stop);
      }
      if ((domain === '' || domain === 'ai.onnx') && version !== undefined) opset = version;
    } else skip(wire, end);
  }
  const p = [producer, producerVersion].filter(Boolean).join(' ');
  return { ...(p ? { producer: p } : {}), ...(opset !== undefined ? { opset } : {}), ...(irVersion !== undefined ? { irVersion } : {}) };
}

function info(m: ort.InferenceSession.ValueMetadata): OnnxTensorInfo {
  if (!m.isTensor) return { name: m.name, type: 'not a tensor', shape: [] };
  return { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' ? d : String(d))) };
}

/** Open an ONNX model, turning every way it can fail into a sentence that says what to do. */
export async function openOnnx(bytes: Uint8Array): Promise<{ session: ort.InferenceSession; description: ModelDescription }> {
  if (bytes.length < 16) throw new OutpostError('bad_request', 'This file is too small to be an ONNX model. Choose the .onnx file itself.');
  let header: ReturnType<typeof onnxHeader>;
  try {
    header = onnxHeader(bytes);
  } catch {
    throw new OutpostError('bad_request', 'This file is not a whole ONNX model (it is damaged or cut short). Export or copy it again.');
  }
  if (header.irVersion === undefined)
    throw new OutpostError('bad_request', 'This file is not an ONNX model. Choose a .onnx file exported from PyTorch, scikit-learn or another tool.');
  if (header.opset !== undefined && header.opset > MAX_ONNX_OPSET) {
    throw new OutpostError(
      'bad_request',
      `This model needs ONNX opset ${header.opset}; Outpost runs up to opset ${MAX_ONNX_OPSET}. Export it again with opset ${MAX_ONNX_OPSET} or lower.`,
    );
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (err) {
    const why = String((err as Error).message ?? err).slice(0, 300);
    // The runtime itself failed to start (its WASM could not be fetched or compiled), not the model.
    if (/no available backend/i.test(why)) {
      throw new OutpostError(
        'runtime_unavailable',
        `ONNX Runtime could not start on this device (${why}). It is downloaded once, the first time an ONNX model is used: connect to the internet once, then try again.`,
      );
    }
    throw new OutpostError(
      'bad_request',
      `ONNX Runtime cannot run this model (${why}). It may use an operator or opset the browser runtime lacks; export it again with a standard opset.`,
    );
  }
  const description: ModelDescription = {
    format: 'onnx',
    inputs: session.inputMetadata.map(info),
    outputs: session.outputMetadata.map(info),
    ...(header.producer ? { producer: header.producer } : {}),
    ...(header.opset !== undefined ? { opset: header.opset } : {}),
  };
  return { session, description };
}

/** Load an ONNX version for prediction: the input and output it names must exist and hold float32. */
export async function loadOnnx(artifacts: OnnxArtifacts, bytes: Uint8Array): Promise<Forward> {
  const { session, description } = await openOnnx(bytes);
  const input = description.inputs.find((i) => i.name === artifacts.inputName);
  const output = description.outputs.find((o) => o.name === artifacts.outputName);
  const names = (l: OnnxTensorInfo[]) => l.map((t) => `“${t.name}”`).join(', ');
  if (!input || !output) {
    await session.release();
    throw new OutpostError(
      'bad_request',
      `This model has inputs ${names(description.inputs)} and outputs ${names(description.outputs)}, not those the version names; import it again.`,
    );
  }
  if (input.type !== 'float32') {
    await session.release();
    throw new OutpostError(
      'bad_request',
      `The model's input “${input.name}” holds ${input.type}; Outpost feeds float32 inputs only. Export it with a float32 input.`,
    );
  }
  return {
    async run(x, shape) {
      let result: ort.InferenceSession.OnnxValueMapType;
      try {
        result = await session.run({ [artifacts.inputName]: new ort.Tensor('float32', x, shape) }, [artifacts.outputName]);
      } catch (err) {
        throw new OutpostError(
          'bad_request',
          `The input does not fit the model (it takes [${input.shape.join(', ')}], got [${shape.join(', ')}]): ${String((err as Error).message).slice(0, 200)}`,
        );
      }
      const t = result[artifacts.outputName] as ort.Tensor;
      const data = t.data;
      if (!(data instanceof Float32Array))
        throw new OutpostError(
          'bad_request',
          `The model's output “${artifacts.outputName}” holds ${t.type}, not float32 numbers; choose its probability or score output.`,
        );
      return data;
    },
    dispose() {
      void session.release();
    },
  };
}
