// 红黄绿灯: how the centre colours its deadlines on every list and page. Red once a deadline is due (or a
// breach is recorded), yellow from its first warning moment (the policy's first threshold, e.g. 50% of the
// period), green before that. Only a duty clock lights: a party's own window running out is not the
// centre's lateness. The API computes the light with each row and the console paints it.
import { instantMs } from '../calendar/index.js';
import { isDuty, type SlaClock, type SlaClocks } from './clock.js';

export const LIGHTS = ['green', 'yellow', 'red'] as const;
export type Light = (typeof LIGHTS)[number];

/** What the light reads of one running deadline. */
export interface Deadline {
  dueAt: string;
  /** The earliest warning moment; null when the policy sets none. */
  warnAt: string | null;
  /** A ClockBreached event has been recorded. */
  breached: boolean;
}

/** One running deadline's light at `now`. */
export function deadlineLight(deadline: Deadline, now: string): Light {
  const nowMs = instantMs(now);
  if (deadline.breached || instantMs(deadline.dueAt) <= nowMs) return 'red';
  if (deadline.warnAt !== null && instantMs(deadline.warnAt) <= nowMs) return 'yellow';
  return 'green';
}

/** The light of several running deadlines: the worst of theirs; green when there is none. */
export function worstLight(deadlines: Iterable<Deadline>, now: string): Light {
  let worst: Light = 'green';
  for (const d of deadlines) {
    const light = deadlineLight(d, now);
    if (LIGHTS.indexOf(light) > LIGHTS.indexOf(worst)) worst = light;
  }
  return worst;
}

/** A clock as the light reads it: its due moment, its earliest warning moment, its breach. */
export function deadlineOf(clock: Pick<SlaClock, 'dueAt' | 'warnAt' | 'breached'>): Deadline {
  let warnAt: string | null = null;
  for (const w of clock.warnAt) if (warnAt === null || instantMs(w.at) < instantMs(warnAt)) warnAt = w.at;
  return { dueAt: clock.dueAt, warnAt, breached: clock.breached };
}

/** The clocks that light: running duty clocks, earliest due first. */
export function lightingClocks(clocks: SlaClocks): SlaClock[] {
  return Object.values(clocks)
    .filter((c) => c.status === 'running' && isDuty(c))
    .sort((a, b) => instantMs(a.dueAt) - instantMs(b.dueAt) || a.key.localeCompare(b.key));
}

/** Each lighting clock's light, by clock key (the case page's clock table). */
export function clockLights(clocks: SlaClocks, now: string): Record<string, Light> {
  return Object.fromEntries(lightingClocks(clocks).map((c) => [c.key, deadlineLight(deadlineOf(c), now)]));
}

/** A case's light at `now` — the worst of its lighting clocks — and its next deadline (null when none runs). */
export function caseLight(clocks: SlaClocks, now: string): { light: Light; next: SlaClock | null } {
  const lighting = lightingClocks(clocks);
  return { light: worstLight(lighting.map(deadlineOf), now), next: lighting[0] ?? null };
}
