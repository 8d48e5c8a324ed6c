export * from './errors.js';
export * from './schema/pipeline.js';
export * from './schema/records.js';
export * from './sync/protocol.js';
export * from './sync/hlc.js';
