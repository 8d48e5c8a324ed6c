// The bootstrap lives with the statistics (stats/bootstrap.ts); metrics use it from here too.
export { bootstrapMetric, type BootstrapInterval, type BootstrapOptions } from '../stats/bootstrap.js';
