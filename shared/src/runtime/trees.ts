import type { TreesArtifacts } from '../schema/records.js';
import { OutpostError } from '../errors.js';
import { parseForest, predictForest } from '../models/forest.js';
import type { Forward } from './predictor.js';

/**
 * A random forest trained by Outpost, read from its weights blob (the trees as JSON, checked by
 * parseForest) and run in plain JavaScript: no tensors, no backend, the same answers on a phone,
 * in the prediction worker and on the server. The artifacts must agree with the trees on the
 * widths they read and answer, or the version's record and its blob do not belong together.
 */
export function loadTrees(artifacts: TreesArtifacts, weights: ArrayBuffer | Uint8Array): Forward {
  const forest = parseForest(weights);
  if (forest.width !== artifacts.inputWidth || forest.outputs !== artifacts.outputWidth || forest.trees.length !== artifacts.trees) {
    throw new OutpostError('bad_request', 'These trees do not belong to this model version (their shape differs from its record). Download its weights again.');
  }
  return {
    async run(x, shape) {
      const width = shape.slice(1).reduce((a, b) => a * b, 1);
      if (shape.length !== 2 || width !== forest.width)
        throw new OutpostError('bad_request', `The input does not fit the model (it takes [batch, ${forest.width}], got [${shape.join(', ')}]).`);
      return predictForest(forest, x, shape[0]);
    },
    dispose() {},
  };
}
