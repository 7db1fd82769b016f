// The message catalogue: the core's rejections and the API's own answers (sign-in, authorisation, request
// shape). Each has a stable key and params, and is rendered in the caller's language here (zh-CN is the
// default: the clerks' language; en for the English `reason`).
// Templates name params as {name}; {name|a} puts the English article before a word (a mediator, an
// intake clerk). A param whose value is a known term (status, role, command, department, clock) is
// rendered in the locale's word for it; a list is joined with "or" / "或".
//
// test/unit/case-messages.unit.spec.ts checks that every key has both languages with the same params (a
// param may have a Chinese form of its own, named with a Zh suffix),
// and that every rejection decide() returns carries a key of this catalogue.

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export type MessageParams = Readonly<Record<string, string | number | readonly string[]>>;

type Templates = Readonly<Record<Locale, string>>;

export const rejectionMessages = {
  'command.invalid': { en: '{field}: {problem}', 'zh-CN': '{field}：{problem}' },
  'command.id-reused': {
    en: 'the Idempotency-Key of command {commandId} was already used for a different command; use a new key for a new command',
    'zh-CN': '该幂等键（指令 {commandId}）已用于另一条不同的指令；新的操作请使用新的幂等键',
  },
  'context.now-invalid': { en: 'context.now must be an ISO instant in UTC, got {now}', 'zh-CN': '操作时间格式不正确（须为 UTC 时间）：{now}' },
  'context.actor-invalid': { en: 'context.actor is not valid: {problem}', 'zh-CN': '操作人信息不完整或有误：{problem}' },
  'context.liaison-without-department': {
    en: 'a department liaison must say which department they act for',
    'zh-CN': '部门联络员须注明所代表的部门',
  },
  'text.control-character': {
    en: '{field}: must not contain NUL or other control characters (found {codePoint})',
    'zh-CN': '{field}：不得包含空字符或其他控制字符（发现 {codePoint}）',
  },
  'text.bidi-control': {
    en: '{field}: must not contain bidirectional control characters, which reorder how the text is shown (found {codePoint})',
    'zh-CN': '{field}：不得包含双向文本控制字符（会颠倒文字的显示顺序，发现 {codePoint}）',
  },
  'text.invisible-character': {
    en: '{field}: must not contain invisible format characters such as zero-width spaces (found {codePoint})',
    'zh-CN': '{field}：不得包含零宽空格等不可见的格式字符（发现 {codePoint}）',
  },
  'text.unpaired-surrogate': {
    en: '{field}: holds a broken character (an unpaired surrogate {codePoint}); type the text again',
    'zh-CN': '{field}：含有残缺字符（不成对的代理项 {codePoint}），请重新输入',
  },
  'role.auditor-read-only': { en: 'an auditor can read cases but not change them', 'zh-CN': '审计人员只能查阅案件，不能更改' },
  'role.not-allowed': { en: '{role|a} may not {command}', 'zh-CN': '{role}无权{command}' },
  'case.already-received': { en: 'case {caseId} has already been received', 'zh-CN': '案件 {caseId} 已登记' },
  'case.not-found': { en: 'there is no case {caseId}', 'zh-CN': '没有案件 {caseId}' },
  'case.wrong-case': {
    en: 'the command is for case {commandCaseId}, but this is case {caseId}',
    'zh-CN': '该指令针对案件 {commandCaseId}，而当前案件为 {caseId}',
  },
  'case.suspended': { en: 'the case is suspended ({suspensionReason}); resume it first', 'zh-CN': '案件已中止（{suspensionReason}），请先恢复' },
  'case.closed': { en: 'the case is closed; reopen it first', 'zh-CN': '案件已结案，请先重新立案' },
  'case.ended': { en: 'cannot {command}: the case is {status}', 'zh-CN': '案件{status}，不能{command}' },
  'complainant.not-party': { en: 'only a complainant of this case may do that', 'zh-CN': '只有本案投诉人可以这样做' },
  'status.needed': {
    en: 'cannot {command}: the case is {status} (needs {allowed})',
    'zh-CN': '不能{command}：案件当前为“{status}”（须为“{allowed}”）',
  },
  'event.too-large': {
    en: '{field}: too long — the {eventType} event would be {bytes} bytes, more than the {limit} the event log takes; shorten the text or split it into several entries',
    'zh-CN': '{field}：内容过长——生成的 {eventType} 事件将有 {bytes} 字节，超过事件日志允许的 {limit} 字节；请缩短文字或分多次记录',
  },
  'calendar.out-of-range': { en: '{detail}', 'zh-CN': '日期超出已载入的节假日日历范围：{detail}' },
  'routing.rules-not-loaded': { en: 'routing rules {version} are not loaded', 'zh-CN': '未载入分流规则 {version}' },
  'sla.policy-missing': { en: 'the SLA policy {policy} is not in {version}', 'zh-CN': '时限规则 {version} 中没有 {policy}' },

  'intake.problems': { en: '{count} problems: {problems}', 'zh-CN': '共 {count} 处问题：{problems}' },
  'intake.liaison-petition-only': {
    en: 'a department liaison may only register a petition transferred by the petitions bureau',
    'zh-CN': '部门联络员只能登记信访局转送的信访事项',
  },
  'intake.worker-count': {
    en: 'the worker count ({workerCount}) is less than the {complainants} complainants listed',
    'zh-CN': '职工人数（{workerCount}）少于所列投诉人数（{complainants}）',
  },
  'intake.petition-ref-missing': {
    en: 'petitionRef: a transferred petition needs its petition number',
    'zh-CN': 'petitionRef：信访转送件须填写信访件编号',
  },
  'intake.complainant-twice': { en: 'complainants: a complainant is listed twice', 'zh-CN': 'complainants：投诉人重复列出' },
  'intake.personal-data-ref': {
    en: "{field}: personal data must be filed under the complainant's own id ({personId})",
    'zh-CN': '{field}：个人信息须登记在投诉人本人编号（{personId}）下',
  },
  'intake.personal-data-commitment': { en: '{field}: {problem}', 'zh-CN': '{field}：个人信息校验值不符（{problem}）' },
  'intake.resident-id-format': {
    en: '{field}: a resident ID number has 17 digits and a check digit or X',
    'zh-CN': '{field}：居民身份证号码应为17位数字加1位校验码（数字或X）',
  },
  'intake.resident-id-birth-date': {
    en: '{field}: the birth date in the resident ID number does not exist',
    'zh-CN': '{field}：身份证号码中的出生日期不存在',
  },
  'intake.resident-id-check-digit': {
    en: '{field}: the check digit of the resident ID number is wrong (GB 11643)',
    'zh-CN': '{field}：身份证号码校验码错误（GB 11643），请核对',
  },
  'intake.credit-code-format': {
    en: '{field}: must be an 18-character unified social credit code',
    'zh-CN': '{field}：统一社会信用代码应为18位（不含I、O、Z、S、V）',
  },
  'intake.credit-code-check-char': {
    en: '{field}: the check character of the unified social credit code is wrong (GB 32100)',
    'zh-CN': '{field}：统一社会信用代码校验码错误（GB 32100），请核对',
  },
  'intake.phone-format': {
    en: '{field}: not a mainland mobile or landline number',
    'zh-CN': '{field}：不是有效的手机号码或固定电话号码',
  },
  'intake.unknown-code': {
    en: '{field}: {value} is not in the registry ({registry})',
    'zh-CN': '{field}：“{value}”不在登记目录（{registry}）中',
  },
  'intake.infringed-in-future': { en: '{field}: {date} is in the future', 'zh-CN': '{field}：{date} 晚于今天' },
  'intake.infringed-too-early': {
    en: '{field}: {date} is before {earliest}',
    'zh-CN': '{field}：{date} 早于 {earliest}',
  },
  'reject.within-limitation': {
    en: 'the claim is still within the one-year limitation, which ends on {lastDay} (第二十七条)',
    'zh-CN': '仍在一年仲裁时效内（至 {lastDay}，劳动争议调解仲裁法 第二十七条），不能以时效届满为由不予受理',
  },

  'referral.already-active': {
    en: '{department} already has a referral in progress ({referralId})',
    'zh-CN': '{department}已有正在办理的交办（{referralId}）',
  },
  'referral.not-found': { en: 'there is no referral {referralId} in this case', 'zh-CN': '本案没有交办 {referralId}' },
  'referral.other-department': {
    en: 'a liaison of {actorDepartment} cannot act on a referral to {department}',
    'zh-CN': '{actorDepartment}联络员不能办理交给{department}的事项',
  },
  'referral.already-settled': { en: 'referral {referralId} is already {referralStatus}', 'zh-CN': '交办 {referralId} 已{referralStatus}' },
  'referral.objection-not-open': {
    en: 'referral {referralId} is {referralStatus}; only an open referral can be objected to',
    'zh-CN': '交办 {referralId} 已{referralStatus}，只能对未接收的交办提出异议',
  },
  'referral.objection-overdue': {
    en: 'referral {referralId} is overdue: answer it, or ask the supervisor to re-route the case',
    'zh-CN': '交办 {referralId} 已逾期，不能再提出异议：请办理答复，或请督办人员改派',
  },
  'referral.objection-window-closed': {
    en: 'the 5 working days to object to referral {referralId} ended at {dueAt} (信访工作条例 第二十三条): answer it, or ask the supervisor to re-route the case',
    'zh-CN': '对交办 {referralId} 提出异议的5个工作日已于 {dueAt} 届满（信访工作条例 第二十三条）：请办理答复，或请督办人员改派',
  },
  'referral.suggest-same-department': {
    en: 'the department suggested instead must be another department',
    'zh-CN': '建议改由的部门须为其他部门',
  },
  'referral.lead-must-suggest': {
    en: 'the lead department objects: name the department that should lead instead',
    'zh-CN': '牵头部门提出异议时，须写明应改由哪个部门牵头',
  },
  'referral.already-overdue': { en: 'referral {referralId} is already marked overdue', 'zh-CN': '交办 {referralId} 已标记为逾期' },

  'session.in-past': { en: 'a session cannot be scheduled in the past', 'zh-CN': '调解会不能安排在过去的时间' },
  'session.too-far': { en: 'a session is scheduled at most {days} days ahead', 'zh-CN': '调解会最多提前 {days} 天安排' },
  'session.not-found': { en: 'there is no session {sessionId} in this case', 'zh-CN': '本案没有调解会 {sessionId}' },
  'session.already-held': { en: 'session {sessionId} was already held', 'zh-CN': '调解会 {sessionId} 已召开' },
  'session.not-yet': {
    en: 'session {sessionId} is scheduled for {at}; it cannot be held before then',
    'zh-CN': '调解会 {sessionId} 定于 {at} 召开，不能在此之前记为已召开',
  },

  'extension.needs-consent': { en: "an extension needs both parties' consent", 'zh-CN': '调解延期须经双方当事人同意' },
  'extension.needs-head': {
    en: 'the {clock} deadline is extended with the approval of {approver}, not by the parties: use ApproveExtension',
    'zh-CN': '{clock}期限的延长须经{approverZh}批准（不是由当事人同意），请登记“批准延期”',
  },
  'extension.needs-consent-not-head': {
    en: "the {clock} deadline is extended only by both parties' consent, not by a head's approval",
    'zh-CN': '{clock}期限只能经双方当事人同意延长，不能由负责人批准延长',
  },
  'extension.not-extendable': { en: 'the {clock} deadline cannot be extended', 'zh-CN': '{clock}期限不能延长' },
  'extension.not-running': { en: 'the {clock} deadline is not running', 'zh-CN': '{clock}期限未在计算中' },
  'extension.breached': {
    en: 'the {clock} deadline already passed at {dueAt}; the breach stands and cannot be extended',
    'zh-CN': '{clock}期限已于 {dueAt} 届满，超期已成事实，不能再延长',
  },
  'extension.ceiling': {
    en: 'the {clock} deadline can be extended by at most {max} days in all ({granted} already granted; {source})',
    'zh-CN': '{clock}期限累计最多延长 {max} 日（已延长 {granted} 日；依据：{source}）',
  },
  'extension.other-department': {
    en: 'a liaison of {actorDepartment} cannot record an extension of a {department} deadline',
    'zh-CN': '{actorDepartment}联络员不能登记{department}期限的延长',
  },
  'suspension.not-suspended': { en: 'the case is not suspended', 'zh-CN': '案件未中止' },
  'suspension.end-in-past': { en: 'expectedEndOn: {date} is already past', 'zh-CN': 'expectedEndOn：预计结束日期 {date} 已过' },
  'escalation.at-top': {
    en: 'the case is already at the county joint centre, the highest level; issue supervision instead',
    'zh-CN': '案件已在县（市）联动调处中心，无法再上提一级，请改为督办',
  },
  'supervision.not-found': { en: 'there is no supervision notice {noticeId} in this case', 'zh-CN': '本案没有督办通知 {noticeId}' },
  'supervision.other-department': {
    en: 'a liaison of {actorDepartment} cannot answer a notice to {department}',
    'zh-CN': '{actorDepartment}联络员不能答复发给{department}的督办通知',
  },
  'supervision.already-answered': { en: 'supervision notice {noticeId} is already answered', 'zh-CN': '督办通知 {noticeId} 已答复' },

  'agreement.needs-session': {
    en: 'hold a mediation session before recording an agreement',
    'zh-CN': '须先召开调解会，才能登记调解协议',
  },
  'agreement.needs-session-since-reopen': {
    en: 'the case was reopened at {since}: hold a mediation session after that before recording a new agreement',
    'zh-CN': '案件已于 {since} 重新立案，须在此之后召开调解会，才能登记新的调解协议',
  },
  'agreement.effective-out-of-range': {
    en: 'effectiveAt: {effectiveAt} must lie between the receipt of the case ({receivedAt}) and now ({now})',
    'zh-CN': 'effectiveAt：协议生效时间 {effectiveAt} 须在案件登记（{receivedAt}）与现在（{now}）之间',
  },
  'agreement.items-total': {
    en: 'the items add up to {itemsTotal} fen, not the total of {total} fen',
    'zh-CN': '各项金额合计 {itemsTotal} 分，与协议总额 {total} 分不符',
  },
  'agreement.schedule-total': {
    en: 'the payment schedule adds up to {scheduleTotal} fen, not the total of {total} fen',
    'zh-CN': '分期付款合计 {scheduleTotal} 分，与协议总额 {total} 分不符',
  },
  'agreement.instalment-before-receipt': {
    en: '{field}: the instalment falls due on {dueOn}, before the case was received ({receivedOn}); check the date (the year?)',
    'zh-CN': '{field}：该期付款日期 {dueOn} 早于案件登记日期（{receivedOn}），请核对日期（年份是否有误）',
  },
  'agreement.none-to-confirm': { en: 'there is no mediation agreement to confirm', 'zh-CN': '没有可申请司法确认的调解协议' },
  'agreement.none-to-pay': { en: 'there is no mediation agreement to pay', 'zh-CN': '没有需要履行付款的调解协议' },
  'judicial.already': { en: 'judicial confirmation was already {judicial}', 'zh-CN': '司法确认已{judicial}' },
  'judicial.joint-application': {
    en: 'both parties must apply for judicial confirmation together (人民调解法 第三十三条)',
    'zh-CN': '司法确认须由双方当事人共同申请（人民调解法 第三十三条）',
  },
  'judicial.window-closed': {
    en: 'the {limit}-day window for judicial confirmation closed at {dueAt} (人民调解法 第三十三条)',
    'zh-CN': '申请司法确认的{limit}日期限已于 {dueAt} 届满（人民调解法 第三十三条）',
  },
  'judicial.window-closed-provisional': {
    en: 'the {limit}-day window for judicial confirmation closed at {dueAt} (人民调解法 第三十三条); the window was counted provisionally ({rule})',
    'zh-CN': '申请司法确认的{limit}日期限已于 {dueAt} 届满（人民调解法 第三十三条；按暂定日历计算：{rule}）',
  },
  'application.other-department': {
    en: 'the {application} is accepted by {department}, not by a liaison of {actorDepartment}',
    'zh-CN': '{application}由{department}受理，{actorDepartment}联络员不能登记受理',
  },
  'application.not-awaiting': {
    en: 'no {application} is awaiting acceptance in this case',
    'zh-CN': '本案没有待受理的{application}',
  },
  'referral.application-awaiting': {
    en: "the {application} awaits {department}'s acceptance: record it with AcceptApplication; accepting the referral is joining the case, not accepting the application",
    'zh-CN': '{application}正待{department}受理：请登记“受理申请”；接收交办是参与本案办理，不是受理申请',
  },
  'judicial.court-only': { en: 'only the court decides on judicial confirmation', 'zh-CN': '司法确认只能由法院决定' },
  'judicial.not-requested': { en: 'no judicial confirmation has been applied for', 'zh-CN': '尚未申请司法确认' },
  'payment.zero': { en: 'a payment must be more than 0 fen', 'zh-CN': '付款金额须大于0' },
  'payment.exceeds': {
    en: 'the payment of {amountFen} fen exceeds the {owed} fen still owed',
    'zh-CN': '付款 {amountFen} 分超过尚欠的 {owed} 分',
  },
  'payment.date-out-of-range': {
    en: 'paidOn: {paidOn} must lie between the agreement ({from}) and today ({today})',
    'zh-CN': 'paidOn：付款日期 {paidOn} 须在协议生效（{from}）与今天（{today}）之间',
  },
  'litigation.not-now': {
    en: 'the case is {status}; litigation follows a failed mediation or a refused judicial confirmation',
    'zh-CN': '案件当前为“{status}”；只有调解不成或司法确认被驳回后才能转诉讼',
  },
  'reply.before-acceptance': {
    en: 'a reply (回音) is sent once the case is accepted or rejected',
    'zh-CN': '案件受理或不予受理后才能回音',
  },
  'reply.already-replied': {
    en: 'the result was already replied; a new reply needs an open re-check',
    'zh-CN': '已答复处理结果；须先启动复查才能再次答复',
  },
  'feedback.recheck-open': { en: 'a re-check is open; feedback waits for its new reply', 'zh-CN': '复查进行中，反馈须待复查答复后登记' },
  'feedback.already': { en: 'feedback on this reply is already recorded', 'zh-CN': '本次答复的反馈已登记' },
  'close.recheck-open': { en: 'a re-check is open; send its reply before closing', 'zh-CN': '复查进行中，须先答复再结案' },
  'close.supervision-open': { en: 'answer supervision notice {noticeId} before closing', 'zh-CN': '结案前须先答复督办通知 {noticeId}' },
  'close.no-outcome': { en: 'the case has no outcome to close with', 'zh-CN': '案件尚无处理结果，不能结案' },
  'reopen.merged': {
    en: 'this case was merged into {intoCaseId}; reopen that case instead',
    'zh-CN': '本案已并入案件 {intoCaseId}，请重新办理该案',
  },
  'reopen.no-agreement': { en: 'the case did not end in an agreement', 'zh-CN': '本案未达成调解协议，不能以“协议未履行”为由重新立案' },
  'reopen.agreement-paid': {
    en: 'the agreement is paid in full ({total} fen); "agreement not performed" does not fit',
    'zh-CN': '调解协议已全部履行（{total} 分），不能以“协议未履行”为由重新立案',
  },
  'reopen.too-often': {
    en: 'the case was already reopened {max} times, the most the centre allows; register a new complaint',
    'zh-CN': '本案已重新立案 {max} 次，达到本中心规定的上限，请作为新投诉登记',
  },
  'merge.self': { en: 'a case cannot be merged into itself', 'zh-CN': '案件不能并入自身' },
  'merge.target-not-looked-up': {
    en: 'case {intoCaseId} was not looked up: the merge needs the target case as it is now',
    'zh-CN': '未查询到目标案件 {intoCaseId} 的当前状态，无法合并',
  },
  'merge.target-not-found': { en: 'there is no case {intoCaseId} to merge into', 'zh-CN': '没有可并入的案件 {intoCaseId}' },
  'merge.target-ended': {
    en: 'case {intoCaseId} is {status}; a case is merged only into an open case',
    'zh-CN': '案件 {intoCaseId} 已{status}，只能并入正在办理的案件',
  },
  'merge.already-recorded': { en: 'case {fromCaseId} is already recorded as merged into this case', 'zh-CN': '案件 {fromCaseId} 已登记并入本案' },
  'merge.target-merging': {
    en: 'this case is itself being merged into case {intoCaseId}: it takes no duplicate now',
    'zh-CN': '本案正在并入案件 {intoCaseId}，不能再接收并入的重复案件',
  },
  'link.self': { en: 'a case cannot be linked to itself', 'zh-CN': '案件不能关联自身' },
  'link.already': { en: 'case {linkedCaseId} is already linked', 'zh-CN': '案件 {linkedCaseId} 已关联' },
  'legacy.rejected': { en: '{reason}', 'zh-CN': '{reason}' },
  'case.run-ended': {
    en: "the case's run has ended (its reopen window passed): only its personal data can still be erased",
    'zh-CN': '案件流程已结束（重新办理期限已过），只能删除其个人信息',
  },
  'erasure.already': { en: "this case's personal data has already been erased", 'zh-CN': '本案个人信息已删除' },
  'erasure.legal-hold-open': {
    en: 'personal data cannot be erased while the case is being handled (it is {status}); close the case first',
    'zh-CN': '案件尚在办理中（{status}），不能删除个人信息；请先结案',
  },
  'erasure.legal-hold-judicial-pending': {
    en: 'personal data cannot be erased while the judicial confirmation of agreement {agreementId} is pending at the court',
    'zh-CN': '调解协议 {agreementId} 的司法确认尚在法院审查中，不能删除个人信息',
  },
  'erasure.legal-hold-judicial-window': {
    en: 'personal data cannot be erased before the judicial-confirmation window ends ({dueAt})',
    'zh-CN': '司法确认申请期限（至 {dueAt}）尚未届满，不能删除个人信息',
  },
} as const satisfies Record<string, Templates>;

export type RejectionKey = keyof typeof rejectionMessages;
export const REJECTION_KEYS = Object.keys(rejectionMessages) as RejectionKey[];

/** The API's own answers: sign-in, authorisation, request shape, and the field messages of its request schemas. */
export const apiMessages = {
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
  // The title of an error answer, by its HTTP status.
  'http.400': { 'zh-CN': '请求有误', en: 'Bad request' },
  'http.401': { 'zh-CN': '未登录', en: 'Unauthenticated' },
  'http.403': { 'zh-CN': '无权操作', en: 'Forbidden' },
  'http.404': { 'zh-CN': '未找到', en: 'Not found' },
  'http.405': { 'zh-CN': '方法不允许', en: 'Method not allowed' },
  'http.409': { 'zh-CN': '状态冲突', en: 'Conflict' },
  'http.412': { 'zh-CN': '版本冲突', en: 'Precondition failed' },
  'http.413': { 'zh-CN': '请求过大', en: 'Content too large' },
  'http.415': { 'zh-CN': '不支持的媒体类型', en: 'Unsupported media type' },
  'http.429': { 'zh-CN': '请求过多', en: 'Too many requests' },
  'http.500': { 'zh-CN': '内部错误', en: 'Internal error' },
  'http.503': { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
} as const satisfies Record<string, Templates>;

/** The whole catalogue: a key names one message, whichever part of the engine says it. */
export const messages = { ...rejectionMessages, ...apiMessages };
export type MessageKey = keyof typeof messages;
export const MESSAGE_KEYS = Object.keys(messages) as MessageKey[];

/** Words for the values params carry, per locale (English uses the value itself unless listed). */
const terms: Readonly<Record<Locale, Readonly<Record<string, string>>>> = {
  en: {
    'intake-clerk': 'intake clerk',
    'department-liaison': 'department liaison',
    // commands, as the action a message names
    ReceiveCase: 'receive the case', AcceptCase: 'accept the case', RejectCase: 'reject the case', ClassifyCase: 'classify the case',
    RouteCase: 'route the case', OpenReferral: 'open a referral', AcceptReferral: 'accept a referral', AnswerReferral: 'answer a referral',
    ObjectToReferral: 'object to a referral', MarkReferralOverdue: 'mark a referral overdue', ScheduleSession: 'schedule a mediation session',
    HoldSession: 'hold a mediation session', AgreeExtension: 'extend the mediation', ApproveExtension: "record a head's approved extension",
    SuspendCase: 'suspend the case', ResumeCase: 'resume the case', CheckClocks: 'check the clocks', EscalateCase: 'escalate the case',
    IssueSupervision: 'issue supervision', AnswerSupervision: 'answer supervision', RecordAgreement: 'record an agreement',
    RequestJudicialConfirmation: 'apply for judicial confirmation', GrantJudicialConfirmation: 'grant judicial confirmation',
    AcceptApplication: 'accept the application', 'judicial-confirmation': 'application for judicial confirmation',
    arbitration: 'arbitration application',
    RefuseJudicialConfirmation: 'refuse judicial confirmation', RecordPayment: 'record a payment',
    RecordMediationFailure: 'record that mediation failed', ReferToArbitration: 'refer the case to arbitration',
    ReferToLitigation: 'refer the case to litigation', WithdrawCase: 'withdraw the case', SendReply: 'send a reply',
    RecordFeedback: 'record feedback', CloseCase: 'close the case', ReopenCase: 'reopen the case', MergeCase: 'merge the case',
    RecordMergedDuplicate: 'record a merged duplicate', LinkCase: 'link the case', ErasePersonalData: 'erase personal data',
    'data-protection-officer': 'data-protection officer',
  },
  'zh-CN': {
    // statuses
    none: '未登记', received: '已登记', accepted: '已受理', classified: '已分类', routed: '已分流', 'in-mediation': '调解中',
    agreement: '已达成协议', 'mediation-failed': '调解不成', 'referred-out': '已转仲裁或诉讼', withdrawn: '已撤回',
    rejected: '不予受理', replied: '已答复', closed: '已结案', open: '待接收', answered: '已答复', objected: '已提出异议',
    requested: '已申请', granted: '已确认', refused: '已驳回',
    // roles
    'intake-clerk': '登记员', mediator: '调解员', 'department-liaison': '部门联络员', supervisor: '督办人员', auditor: '审计人员',
    system: '系统', complainant: '投诉人',
    // departments
    union: '工会职工帮扶中心', court: '法院', petitions: '信访局', hr: '人力社保局', justice: '司法局',
    // clocks
    'mediation-conclude': '调解', 'arbitration-award': '仲裁裁决', 'petition-handle': '信访办结',
    'court-confirmation-decide': '法院确认决定', 'complaint-reply': '回音', 'referral-objection': '交办异议',
    // applications
    'judicial-confirmation': '司法确认申请', arbitration: '仲裁申请',
    // suspension reasons
    'awaiting-materials': '等待补充材料', 'party-unavailable': '当事人无法参加', 'parallel-proceedings': '另有程序进行中',
    'force-majeure': '不可抗力', 'awaiting-work-injury-determination': '等待工伤认定',
    'awaiting-capacity-appraisal': '等待劳动能力鉴定', other: '其他',
    // commands
    ReceiveCase: '登记案件', AcceptCase: '受理案件', RejectCase: '不予受理', ClassifyCase: '分类', RouteCase: '分流',
    OpenReferral: '交办', AcceptReferral: '接收交办', AnswerReferral: '答复交办', ObjectToReferral: '对交办提出异议',
    MarkReferralOverdue: '标记交办逾期', ScheduleSession: '安排调解会', HoldSession: '登记召开调解会',
    AgreeExtension: '经双方同意延长调解期限', ApproveExtension: '登记负责人批准延期', SuspendCase: '中止案件',
    ResumeCase: '恢复案件', CheckClocks: '检查时限', EscalateCase: '上提一级', IssueSupervision: '督办',
    AnswerSupervision: '答复督办', RecordAgreement: '登记调解协议', RequestJudicialConfirmation: '申请司法确认',
    GrantJudicialConfirmation: '登记司法确认', RefuseJudicialConfirmation: '登记驳回司法确认', RecordPayment: '登记付款',
    AcceptApplication: '受理申请',
    RecordMediationFailure: '登记调解不成', ReferToArbitration: '转仲裁', ReferToLitigation: '转诉讼', WithdrawCase: '撤回案件',
    SendReply: '回音', RecordFeedback: '登记反馈', CloseCase: '结案', ReopenCase: '重新立案', MergeCase: '合并案件',
    RecordMergedDuplicate: '登记并入的重复案件', LinkCase: '关联案件', ErasePersonalData: '删除个人信息',
    'data-protection-officer': '个人信息保护负责人',
  },
};

const englishCommand = (type: string): string => type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function term(value: string, locale: Locale, name: string): string {
  const word = terms[locale][value];
  if (word !== undefined) return word;
  if (locale === 'en' && name === 'command') return englishCommand(value);
  return value;
}

/** A term (status, role, command, department, clock) in the locale's words. */
export function termFor(value: string, locale: Locale): string {
  return term(value, locale, 'command');
}

const article = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

export function renderMessage(key: MessageKey, params: MessageParams, locale: Locale): string {
  const template: string = messages[key][locale];
  return template.replace(/\{(\w+)(\|a)?\}/g, (_, name: string, withArticle?: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    const text =
      typeof value === 'object'
        ? (value as readonly string[]).map((v) => term(v, locale, name)).join(locale === 'en' ? ' or ' : '或')
        : typeof value === 'number'
          ? String(value)
          : term(value, locale, name);
    return withArticle && locale === 'en' ? article(text) : text;
  });
}

/** A rejection in the caller's language; zh-CN by default. Several problems are rendered one by one. */
export function renderRejection(
  rejection: { key: RejectionKey; params: MessageParams; problems?: readonly { key: RejectionKey; params: MessageParams }[] },
  locale: Locale = 'zh-CN',
): string {
  if (rejection.problems && rejection.problems.length > 1) {
    const parts = rejection.problems.map((p) => renderMessage(p.key, p.params, locale));
    return renderMessage('intake.problems', { count: parts.length, problems: parts.join(locale === 'en' ? '; ' : '；') }, locale);
  }
  return renderMessage(rejection.key, rejection.params, locale);
}

/** The params a template names, for the catalogue's own test. */
export function templateParams(template: string): string[] {
  return [...template.matchAll(/\{(\w+)(\|a)?\}/g)].map((m) => m[1] ?? '').sort();
}
