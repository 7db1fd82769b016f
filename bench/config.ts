// The benchmarks' configuration: the schema's variables (runtime/config.ts), defaulting to the test stack's
// ports (`npm run bench` starts those servers; `--servers-only` prints their variables to export).
import { loadAppConfig, setting } from '../runtime/config.js';

export const benchConfig = loadAppConfig({ KAFKA_BROKERS: '127.0.0.1:29092', TEMPORAL_ADDRESS: '127.0.0.1:27233', ...process.env });

export { setting };
