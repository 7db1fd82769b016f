// Who is acting. Every event records its actor, so every request must say who it comes from. This
// engine sits behind the centre's sign-on proxy, which sets these headers from the signed-in user; it
// does no authentication of its own.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Actor } from '../events/index.js';
import { Department, Id, Role } from '../events/vocabulary.js';
import { fieldIssues, HttpError } from './http.js';

const ActorHeaders = z.object({
  'x-actor-id': Id,
  'x-actor-role': Role,
  'x-actor-department': Department.optional(),
});

export function actorOf(req: IncomingMessage): Actor {
  const parsed = ActorHeaders.safeParse(req.headers);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error).map((i) => ({ ...i, field: `header ${i.field}` }));
    throw new HttpError(400, 'validation', `invalid request: ${issues.map((i) => i.field).join(', ')}`, { issues });
  }
  const h = parsed.data;
  return { id: h['x-actor-id'], role: h['x-actor-role'], ...(h['x-actor-department'] ? { department: h['x-actor-department'] } : {}) };
}
