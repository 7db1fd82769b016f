// The rules as they were before issue 9, for the runs that started under them (see decide-2025.ts).
export { decide2025 } from './decide-2025.js';
export { legacySla2025 } from '../clocks.js';
