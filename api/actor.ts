// Who is acting. Every event records its actor, so every request must say who it comes from. This
// engine sits behind the centre's sign-on proxy, which sets these headers from the signed-in user; it
// does no authentication of its own.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Actor } from '../events/index.js';
import { Department, Id, Role } from '../events/vocabulary.js';
import { parseBody } from './http.js';

const ActorHeaders = z.object({
  'x-actor-id': Id,
  'x-actor-role': Role,
  'x-actor-department': Department.optional(),
});

export function actorOf(req: IncomingMessage): Actor {
  const h = parseBody(ActorHeaders, req.headers, 'header ');
  return { id: h['x-actor-id'], role: h['x-actor-role'], ...(h['x-actor-department'] ? { department: h['x-actor-department'] } : {}) };
}
