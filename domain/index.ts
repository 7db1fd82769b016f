// The pure domain core: the case decider (decide, evolve, initialState, foldEvents), its commands,
// and routing. Calendar and SLA clocks live in domain/calendar and domain/sla.
export * from './case/index.js';
export * from './routing/index.js';

import { decide } from './case/decide.js';
import { evolve } from './case/evolve.js';
import { initialState } from './case/state.js';

/** The decider as one value, emmett style. */
export const caseDecider = { decide, evolve, initialState } as const;
