import type { CanvasBlock } from '@shared/schema/canvas.js';
import type { AutomationLevel, DeploymentMode } from '@shared/schema/prediction-deployment.js';
import type { MessageKey } from '../../i18n/catalogue.js';

// The canvas's words by block, mode, level and monitor state: typed maps, so a block without its
// words is a type error rather than a raw key on screen.
export const BLOCK_TITLE: Record<CanvasBlock, MessageKey> = {
  predictionTask: 'canvas.predictionTask.title',
  decisions: 'canvas.decisions.title',
  valueProposition: 'canvas.valueProposition.title',
  dataCollection: 'canvas.dataCollection.title',
  dataSources: 'canvas.dataSources.title',
  impactSimulation: 'canvas.impactSimulation.title',
  makingPredictions: 'canvas.makingPredictions.title',
  buildingModels: 'canvas.buildingModels.title',
  features: 'canvas.features.title',
  monitoring: 'canvas.monitoring.title',
};

export const BLOCK_ASK: Record<CanvasBlock, MessageKey> = {
  predictionTask: 'canvas.predictionTask.ask',
  decisions: 'canvas.decisions.ask',
  valueProposition: 'canvas.valueProposition.ask',
  dataCollection: 'canvas.dataCollection.ask',
  dataSources: 'canvas.dataSources.ask',
  impactSimulation: 'canvas.impactSimulation.ask',
  makingPredictions: 'canvas.makingPredictions.ask',
  buildingModels: 'canvas.buildingModels.ask',
  features: 'canvas.features.ask',
  monitoring: 'canvas.monitoring.ask',
};

export const MODE_WORDS: Record<DeploymentMode, MessageKey> = {
  single: 'canvas.fig.mode.single',
  shadow: 'canvas.fig.mode.shadow',
  canary: 'canvas.fig.mode.canary',
  blue_green: 'canvas.fig.mode.blue_green',
};

export const LEVEL_WORDS: Record<AutomationLevel, MessageKey> = {
  human: 'canvas.fig.level.human',
  assist: 'canvas.fig.level.assist',
  partial: 'canvas.fig.level.partial',
  full: 'canvas.fig.level.full',
};

export const MONITOR_WORDS: Record<'ok' | 'warning' | 'alert', MessageKey> = {
  ok: 'canvas.fig.monitors.ok',
  warning: 'canvas.fig.monitors.warning',
  alert: 'canvas.fig.monitors.alert',
};
