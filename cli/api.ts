// mediation token | mediation api <path> — the CLI's calls to the API, signed on as a service client
// (OAuth 2 client credentials at the OpenID provider): OIDC_ISSUER, MEDIATION_CLIENT_ID (default
// mediation-cli), MEDIATION_CLIENT_SECRET, MEDIATION_API_URL (default http://127.0.0.1:8080).
import type { Command } from 'commander';
import { setting } from '../runtime/config.js';
import type { CliIo } from './io.js';

interface ServiceSettings {
  issuer: string;
  clientId: string;
  secret: string;
  apiUrl: string;
}

function settings(env: NodeJS.ProcessEnv): ServiceSettings | string {
  const issuer = setting('OIDC_ISSUER', env);
  const secret = setting('MEDIATION_CLIENT_SECRET', env);
  if (!issuer) return 'OIDC_ISSUER is not set (the OpenID provider, e.g. http://127.0.0.1:9000 under npm start)';
  if (!secret) return 'MEDIATION_CLIENT_SECRET is not set (the service client\'s secret; npm start prints the development one)';
  return { issuer, clientId: setting('MEDIATION_CLIENT_ID', env), secret, apiUrl: setting('MEDIATION_API_URL', env) };
}

/** An access token of the service client, by client credentials. */
export async function serviceToken(s: Pick<ServiceSettings, 'issuer' | 'clientId' | 'secret'>): Promise<string> {
  const discovery = (await (await fetch(new URL('.well-known/openid-configuration', s.issuer.endsWith('/') ? s.issuer : `${s.issuer}/`))).json()) as { token_endpoint?: string };
  if (!discovery.token_endpoint) throw new Error(`the OpenID provider ${s.issuer} publishes no token endpoint`);
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(s.secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`the OpenID provider refused the service client ${s.clientId}: ${body.error_description ?? body.error ?? res.status}`);
  return body.access_token;
}

const ENVIRONMENT = '\nEnvironment: OIDC_ISSUER, MEDIATION_CLIENT_ID (default mediation-cli), MEDIATION_CLIENT_SECRET, MEDIATION_API_URL (default http://127.0.0.1:8080).';

export function registerApi(parent: Command, io: CliIo, result: { code: number }, env: NodeJS.ProcessEnv): void {
  const bad = (message: string) => {
    io.err(`error: ${message}`);
    result.code = 2;
  };
  parent
    .command('token')
    .summary("print an access token of the service client (client credentials), for scripts")
    .addHelpText('after', ENVIRONMENT)
    .action(async () => {
      const s = settings(env);
      if (typeof s === 'string') return bad(s);
      io.out(await serviceToken(s));
      result.code = 0;
    });
  parent
    .command('api')
    .summary('GET a path of the API as the service client, e.g. mediation api /queues/union')
    .argument('<path>', 'the path and query, starting with /')
    .option('--lang <tag>', 'Accept-Language of the answer (zh-CN or en)', 'zh-CN')
    .addHelpText('after', ENVIRONMENT)
    .action(async (path: string, opts: { lang: string }) => {
      if (!path.startsWith('/')) return bad(`'${path}' must start with /`);
      const s = settings(env);
      if (typeof s === 'string') return bad(s);
      const res = await fetch(new URL(path, s.apiUrl), { headers: { authorization: `Bearer ${await serviceToken(s)}`, 'accept-language': opts.lang } });
      result.code = await printAnswer(res);
    });
  parent
    .command('erase-personal-data')
    .summary("erase a closed case's personal data (data-protection officer): destroys its subjects' keys")
    .argument('<case>', 'the case number')
    .requiredOption('--reason <text>', 'why, e.g. 当事人申请删除')
    .requiredOption('--legal-basis <text>', 'the legal basis, e.g. 个人信息保护法 第四十七条第一款第一项')
    .option('--lang <tag>', 'Accept-Language of the answer (zh-CN or en)', 'zh-CN')
    .addHelpText('after', `${ENVIRONMENT}\nMEDIATION_TOKEN: the signed-in data-protection officer's access token (used instead of the service client).`)
    .action(async (caseId: string, opts: { reason: string; legalBasis: string; lang: string }) => {
      const answer = await callApi('POST', `/cases/${encodeURIComponent(caseId)}/erase-personal-data`, opts.lang, { reason: opts.reason, legalBasis: opts.legalBasis });
      if (typeof answer === 'string') return bad(answer);
      result.code = await printAnswer(answer);
    });

  const deadLetters = parent
    .command('dead-letters')
    .summary('events the projector parked: list them, re-drive a case once the cause is fixed')
    .helpCommand(false);
  deadLetters
    .command('list')
    .summary('the parked events, oldest first, with why each was parked')
    .option('--case <id>', "only this case's")
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--lang <tag>', 'Accept-Language of the answer (zh-CN or en)', 'zh-CN')
    .addHelpText('after', `${ENVIRONMENT}\nMEDIATION_TOKEN: a signed-in staff member's access token (used instead of the service client).`)
    .action(async (opts: { case?: string; limit?: string; lang: string }) => {
      if (opts.limit !== undefined && !/^[1-9]\d{0,4}$/.test(opts.limit)) return bad(`--limit '${opts.limit}' must be a whole number from 1 to 99999`);
      const query = new URLSearchParams({ ...(opts.case ? { caseId: opts.case } : {}), ...(opts.limit ? { limit: opts.limit } : {}) });
      const answer = await callApi('GET', `/dead-letters${query.size > 0 ? `?${query}` : ''}`, opts.lang);
      if (typeof answer === 'string') return bad(answer);
      result.code = await printAnswer(answer);
    });
  deadLetters
    .command('retry')
    .summary("re-drive a case's parked events into the read models; what still does not fit is parked again")
    .argument('<case>', 'the case number')
    .option('--lang <tag>', 'Accept-Language of the answer (zh-CN or en)', 'zh-CN')
    .addHelpText('after', `${ENVIRONMENT}\nMEDIATION_TOKEN: the access token of a county supervisor (the service client may list, not re-drive).`)
    .action(async (caseId: string, opts: { lang: string }) => {
      const answer = await callApi('POST', `/dead-letters/${encodeURIComponent(caseId)}/retry`, opts.lang);
      if (typeof answer === 'string') return bad(answer);
      result.code = await printAnswer(answer);
    });

  /** A call to the API with MEDIATION_TOKEN, else the service client's token; a string says what is missing. */
  async function callApi(method: 'GET' | 'POST', path: string, lang: string, body?: unknown): Promise<Response | string> {
    const apiUrl = setting('MEDIATION_API_URL', env);
    let token = setting('MEDIATION_TOKEN', env);
    if (!token) {
      const s = settings(env);
      if (typeof s === 'string') return `${s}; or set MEDIATION_TOKEN to a signed-in staff member's access token`;
      token = await serviceToken(s);
    }
    return fetch(new URL(path, apiUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, 'accept-language': lang, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** The API's answer, pretty-printed when it is JSON: to stdout when it succeeded, to stderr otherwise. */
  async function printAnswer(res: Response): Promise<number> {
    const text = await res.text();
    const print = res.ok ? io.out : io.err;
    try {
      print(JSON.stringify(JSON.parse(text), null, 2));
    } catch {
      print(text);
    }
    return res.ok ? 0 : 1;
  }
}
