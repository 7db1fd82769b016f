// The processes' shared runtime: configuration, logging, the Kafka client factory and partitioning.
// `api/`, `worker/`, `readmodels/`, `audit/` and `cli/` import these; `ops/` only starts the local stack.
export * from './config.js';
export * from './kafka.js';
export * from './log.js';
export * from './payload-codec.js';
export * from './secure-connections.js';
