// Who is signed in and what the authorisation table lets them do, and the console's sign-on settings.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTHORISATION, grantFor, OPERATIONS } from '../authz.js';
import type { ApiDeps } from '../deps.js';
import { problemResponses } from '../problem.js';

const Me = z.object({
  id: z.string(),
  role: z.string(),
  department: z.string().optional(),
  level: z.string().optional(),
  town: z.string().optional(),
  operations: z.array(z.enum(OPERATIONS)).describe('the operations of the authorisation table this user may perform'),
});

export const meRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get(
    '/console/config',
    { config: { public: true }, schema: { summary: "The console's sign-on settings (issuer and client id)", security: [], response: { 200: z.object({ issuer: z.string().nullable(), clientId: z.string().nullable() }) } } },
    async () => ({ issuer: deps.oidc?.issuer ?? null, clientId: deps.oidc?.consoleClientId ?? null }),
  );

  app.get('/me', { schema: { summary: 'Who is signed in, and what the authorisation table lets them do', response: { 200: Me, ...problemResponses } } }, async (req) => {
    const staff = req.staff!;
    const operations = OPERATIONS.filter((op) => {
      if (!AUTHORISATION[op][staff.role]) return false;
      try {
        grantFor(staff, op);
        return true;
      } catch {
        return false;
      }
    });
    return { id: staff.id, role: staff.role, ...(staff.department ? { department: staff.department } : {}), ...(staff.level ? { level: staff.level } : {}), ...(staff.town ? { town: staff.town } : {}), operations };
  });
};
