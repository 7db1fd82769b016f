// The caller's language: zh-CN unless Accept-Language prefers English. The API's own messages live in
// one catalogue here; zod's default messages come from zod's own zh-CN and en locales.
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';

export type Locale = 'zh-CN' | 'en';

/** The first language tag of Accept-Language (by q) that we speak; zh-CN by default. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return 'zh-CN';
  const tags = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

type Params = Record<string, string | number>;
type Entry = { 'zh-CN': string; en: string };

const catalogue = {
  'auth.missing': { 'zh-CN': '请先登录：请求需带 Authorization: Bearer 访问令牌', en: 'sign in first: send an Authorization: Bearer access token' },
  'auth.invalid': { 'zh-CN': '访问令牌无效：{reason}', en: 'the access token is not valid: {reason}' },
  'auth.actor-headers': {
    'zh-CN': '不再接受 x-actor-* 请求头：身份只来自访问令牌',
    en: 'x-actor-* headers are no longer accepted: who acts comes from the access token only',
  },
  'auth.role': { 'zh-CN': '访问令牌中没有可用的工作人员角色（{claim}）', en: 'the access token carries no usable staff role ({claim})' },
  'auth.scope-claim': {
    'zh-CN': '访问令牌缺少职责范围声明“{claim}”（{why}），不予访问；请联系身份管理员补全',
    en: 'the access token lacks the scope claim {claim} ({why}): no access until the identity provider sets it',
  },
  'personal-data.erased': { 'zh-CN': '已删除', en: 'erased' },
  'personal-data.unreadable': { 'zh-CN': '无法解密', en: 'unreadable' },
  'erasure.run-stopped': {
    'zh-CN': '案件 {caseId} 的流程异常终止（{status}），请运维人员先行核查，再删除个人信息',
    en: 'the workflow run of case {caseId} stopped abnormally ({status}): an operator must look at it before its personal data is erased',
  },
  'erasure.chain-faults': {
    'zh-CN': '案件 {caseId} 的事件链校验未通过（{faults}），请先运行 mediation audit verify {caseId}',
    en: 'the stored event chain of case {caseId} has faults ({faults}): run `mediation audit verify {caseId}` first',
  },
  'erasure.in-progress': {
    'zh-CN': '案件 {caseId} 正在记录另一项删除，请稍后重试',
    en: 'another erasure of case {caseId} is being recorded: try again in a moment',
  },
  'codec.namespace': {
    'zh-CN': '本服务只解码命名空间“{served}”的载荷，不解码“{namespace}”的',
    en: 'this service decodes the payloads of namespace {served} only, not of {namespace}',
  },
  'codec.cookie-origin': {
    'zh-CN': '来自 {origin} 的请求不能使用解码 Cookie 登录：只有配置的 Temporal Web UI 地址可以（请用 http://127.0.0.1 打开，不要用 localhost）',
    en: 'a request from {origin} may not sign in with the codec cookie: only the configured Temporal Web UI origins may (open it at http://127.0.0.1, not localhost)',
  },
  'codec.undecodable': { 'zh-CN': '载荷无法解码：{reason}', en: 'a payload cannot be decoded: {reason}' },
  'forbidden.role': { 'zh-CN': '角色“{role}”无权执行“{operation}”', en: 'the role {role} may not {operation}' },
  'forbidden.scope': { 'zh-CN': '案件 {caseId} 不在您的职责范围内（{scope}）', en: 'case {caseId} is outside your scope ({scope})' },
  'forbidden.department': { 'zh-CN': '您只能查看本部门（{department}）的队列', en: 'you may only see the queue of your own department ({department})' },
  'validation.invalid': { 'zh-CN': '请求有误：{fields}', en: 'invalid request: {fields}' },
  'validation.not-json': { 'zh-CN': '请求正文不是有效的 JSON', en: 'the request body is not valid JSON' },
  'validation.empty': { 'zh-CN': '请求正文为空，请发送一个 JSON 对象', en: 'the request body is empty; send a JSON object' },
  'validation.bad-path': { 'zh-CN': '请求路径中有无效的转义序列', en: 'the request path has a malformed escape sequence' },
  'unsupported-media-type': {
    'zh-CN': '请求正文必须是 application/json（收到的是 {type}）',
    en: 'the request body must be application/json (got {type})',
  },
  'too-large': { 'zh-CN': '请求正文超过 {limit} 字节', en: 'the request body is larger than {limit} bytes' },
  'unavailable.temporal': {
    'zh-CN': '案件引擎暂时无法答复，请 {after} 秒后重试；重试时带上同一个 Idempotency-Key，同一操作不会执行两次',
    en: 'the case engine cannot answer just now; try again in {after} seconds, with the same Idempotency-Key so that the command is not applied twice',
  },
  'rate-limited': { 'zh-CN': '操作过于频繁，请 {after} 后再试', en: 'too many changes; try again in {after}' },
  'not-found.route': { 'zh-CN': '没有 {method} {url} 这个接口', en: 'there is no route {method} {url}' },
  'not-found.case': { 'zh-CN': '没有案件 {caseId}', en: 'there is no case {caseId}' },
  'not-found.case-summary': {
    'zh-CN': '读模型中没有案件 {caseId}（刚登记的案件约一秒后出现）',
    en: 'no case {caseId} in the read model (a case just received appears within a second)',
  },
  'not-found.command': { 'zh-CN': '没有命令 {type}；可用命令：{commands}', en: 'there is no command {type}; commands: {commands}' },
  'not-found.department': { 'zh-CN': '没有部门 {department}；部门：{departments}', en: 'no department {department}; departments: {departments}' },
  conflict: { 'zh-CN': '案件 {caseId} 已存在', en: 'case {caseId} already exists' },
  'not-found.case-number': {
    'zh-CN': '案件编号 {caseId} 不可用：您的职责范围内没有该案件。请不填编号，由系统生成',
    en: 'the case number {caseId} cannot be used: there is no such case in your scope. Leave it out and one is made',
  },
  internal: { 'zh-CN': '内部错误，请查看 API 日志（请求号 {requestId}）', en: 'internal error; see the API log (request {requestId})' },
  // Field messages of the API's own request schemas.
  'field.case-number': { 'zh-CN': '只能是字母、数字和连字符，3 至 64 个字符', en: 'letters, digits and dashes, 3 to 64' },
  'field.id-number': { 'zh-CN': '必须是 18 位居民身份证号码', en: 'must be an 18-character resident ID number' },
  'field.phone': { 'zh-CN': '必须是由数字和连字符组成的电话号码', en: 'must be a phone number of digits and dashes' },
  'field.complainants': { 'zh-CN': '至少需要一名申请人', en: 'at least one complainant' },
  'field.complainants-too-many': {
    'zh-CN': '申请人最多列 100 名；集体争议请列出推选的代表，其余人数填在“涉及人数”中',
    en: 'at most 100 complainants listed; for a collective dispute list the elected representatives and give the rest as the worker count',
  },
  'field.month': { 'zh-CN': '应为月份 YYYY-MM', en: 'expected a month YYYY-MM' },
  'field.plain-text-only': {
    'zh-CN': '只接受纯文本：加密由服务端完成，不接受客户端加密的值',
    en: 'plain text only: the server encrypts personal data itself and takes no value encrypted by a client',
  },
  'field.credit-code': { 'zh-CN': '必须是 18 位统一社会信用代码', en: 'must be an 18-character unified social credit code' },
} satisfies Record<string, Entry>;

export type MessageKey = keyof typeof catalogue;

export function message(key: MessageKey, locale: Locale, params: Params = {}): string {
  return catalogue[key][locale].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

// Field messages are rendered when a schema fails, which happens inside a request: the request's locale
// is carried there so that a schema's own message (error: msg('field.phone')) renders in it.
const current = new AsyncLocalStorage<Locale>();

export function inLocale<T>(locale: Locale, fn: () => T): T {
  return current.run(locale, fn);
}

export function currentLocale(): Locale {
  return current.getStore() ?? 'zh-CN';
}

/** A schema's field message in the locale of the request being validated. */
export const msg = (key: MessageKey) => () => message(key, currentLocale());

const zodLocales = { 'zh-CN': z.locales.zhCN(), en: z.locales.en() };

/** zod's default message for an issue, in a locale (schema-level messages take precedence). */
export function zodErrorMap(locale: Locale): z.core.$ZodErrorMap {
  return zodLocales[locale].localeError as z.core.$ZodErrorMap;
}
