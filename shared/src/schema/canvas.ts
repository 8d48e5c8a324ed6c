import { z } from 'zod';

/**
 * The machine learning canvas (Louis Dorard, "Machine Learning Canvas", 2016): ten blocks that say
 * what a project is for before anyone trains a model, in the order people usually fill them in.
 * Each block is its own synced field of the project (`canvasPredictionTask`, …), so two people
 * writing different blocks on two phones both keep their words (the per-field merge, docs/sync.md).
 */
export const CANVAS_BLOCKS = [
  'predictionTask',
  'decisions',
  'valueProposition',
  'dataCollection',
  'dataSources',
  'impactSimulation',
  'makingPredictions',
  'buildingModels',
  'features',
  'monitoring',
] as const;

export type CanvasBlock = (typeof CANVAS_BLOCKS)[number];

/** A block's field on the project record. */
export type CanvasField = `canvas${Capitalize<CanvasBlock>}`;

export const canvasField = (block: CanvasBlock): CanvasField => `canvas${block[0].toUpperCase()}${block.slice(1)}` as CanvasField;

/** A block's words: up to 4,000 characters (a long paragraph a nurse might write). */
export const CanvasText = z.string().max(4000);

/** The ten fields, each optional, to spread into the project's schema. */
export const CanvasFields = z.object(
  Object.fromEntries(CANVAS_BLOCKS.map((b) => [canvasField(b), CanvasText.optional()])) as Record<CanvasField, z.ZodOptional<typeof CanvasText>>,
);

export type CanvasFields = z.infer<typeof CanvasFields>;

/** The blocks a project has words in, in canvas order. */
export function filledBlocks(p: Partial<CanvasFields>): CanvasBlock[] {
  return CANVAS_BLOCKS.filter((b) => (p[canvasField(b)] ?? '').trim() !== '');
}
