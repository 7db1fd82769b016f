// Human-readable reports of the audit commands (the CLI prints `--json` instead when asked).
import { isPersonalValue } from '../events/index.js';
import type { Comparison } from './compare.js';
import { describeLocation } from './records.js';
import type { ClockAt, StateAsOf, TimelineEntry } from './replay.js';
import type { LogVerification } from './source.js';
import type { AuditFault, CaseVerification } from './verify.js';

const SKIP_IN_SUMMARY = new Set(['reason', 'reasonCode', 'note', 'explanation', 'minutes', 'opinion', 'response', 'comment', 'summary', 'terms', 'task']);

function scalar(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}…` : value;
  return JSON.stringify(value);
}

/** `key=value` pairs of an event's data, nested objects flattened; personal fields shown as redacted. */
export function summarizeData(data: unknown, prefix = ''): string[] {
  if (isPersonalValue(data)) {
    const value = (data as { value?: unknown }).value;
    return [`${prefix}=${typeof value === 'string' ? value : `[personal data ${data.ref}]`}`];
  }
  if (Array.isArray(data)) {
    if (data.length === 0) return [`${prefix}=[]`];
    if (data.every((d) => typeof d !== 'object' || d === null)) return [`${prefix}=${data.map(scalar).join(',')}`];
    return data.flatMap((d, i) => summarizeData(d, `${prefix}[${i}]`));
  }
  if (typeof data === 'object' && data !== null) {
    return Object.entries(data).flatMap(([key, value]) =>
      prefix === '' && SKIP_IN_SUMMARY.has(key) ? [] : summarizeData(value, prefix ? `${prefix}.${key}` : key),
    );
  }
  return [`${prefix}=${scalar(data)}`];
}

const actorText = (a: TimelineEntry['actor']) => `${a.id} (${a.role}${a.department ? `, ${a.department}` : ''})`;

export function renderTimeline(caseId: string, source: string, entries: readonly TimelineEntry[]): string[] {
  const lines = [`Case ${caseId}: ${entries.length} events from ${source}`, ''];
  for (const e of entries) {
    const status = e.status.before === e.status.after ? e.status.after : `${e.status.before} → ${e.status.after}`;
    lines.push(`#${e.sequence}  ${e.occurredAt}  ${e.type}  by ${actorText(e.actor)}  [${status}]`);
    if (e.reason !== undefined) lines.push(`      reason: ${e.reason}`);
    for (const note of e.notes) lines.push(`      note: ${note}`);
    const summary = summarizeData(e.data);
    if (summary.length > 0) lines.push(`      data: ${summary.join('  ')}`);
    for (const c of e.clockChanges) lines.push(`      clock ${c.clock}: ${c.detail}`);
  }
  return lines;
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m`;
}

export function renderClocks(clocks: readonly ClockAt[]): string[] {
  if (clocks.length === 0) return ['  (no clocks)'];
  const width = Math.max(...clocks.map((c) => c.clock.length));
  return clocks.map((c) => {
    let when: string;
    if (c.msLeft === null) when = c.endedAt ? `${c.status} ${c.endedAt}${c.late ? ' (late)' : ''}` : `${c.status}${c.late ? ' (late)' : ''}`;
    else when = c.msLeft >= 0 ? `${formatDuration(c.msLeft)} left` : `overdue by ${formatDuration(c.msLeft)}`;
    const marks = [c.breached ? 'breached' : '', c.warned.length > 0 ? `warned ${c.warned.map((t) => `${Math.round(t * 100)}%`).join(',')}` : '', c.provisional ? 'provisional' : '']
      .filter(Boolean)
      .join(', ');
    return `  ${c.clock.padEnd(width)}  ${c.status.padEnd(9)}  due ${c.due} (${c.dueAt})  ${when}${marks ? `  [${marks}]` : ''}`;
  });
}

export function renderAsOf(caseId: string, result: StateAsOf): string[] {
  const s = result.state;
  const lines = [`Case ${caseId} as of ${result.asOf}: ${result.eventsApplied} events applied (up to sequence ${result.sequence})`];
  if (result.nextEvent) lines.push(`next event: #${result.nextEvent.sequence} ${result.nextEvent.type} at ${result.nextEvent.occurredAt}`);
  if (s.status === 'none') {
    lines.push('status: none (the case had not been received yet)');
    return lines;
  }
  lines.push(
    `status: ${s.status}${s.suspended ? ` (suspended since ${s.suspended.since}: ${s.suspended.reason})` : ''}`,
    `level: ${s.level}   priority: ${s.priority}   collective: ${s.collective ? 'yes' : 'no'}   workers: ${s.workerCount}`,
    `dispute type: ${s.disputeType ?? '(not classified)'}   route: ${s.route ? `${s.route.leadDepartment} leads, ${s.route.joiningDepartments.join(', ') || 'no one'} joining (rule ${s.route.ruleId} ${s.route.rulesVersion})` : '(not routed)'}`,
    `respondent: ${s.respondent.name} (${s.respondent.creditCode}), ${s.respondent.town}`,
    `outcome: ${s.outcome ?? '(none yet)'}${s.agreement ? `   agreement ${s.agreement.agreementId}: ${s.agreement.paidFen}/${s.agreement.totalAmountFen} fen paid, judicial confirmation ${s.agreement.judicial}` : ''}`,
  );
  const referrals = Object.values(s.referrals);
  if (referrals.length > 0) lines.push(`referrals: ${referrals.map((r) => `${r.department} ${r.status}${r.overdue ? ' (overdue)' : ''}`).join('; ')}`);
  const notices = Object.values(s.supervision);
  if (notices.length > 0) lines.push(`supervision: ${notices.map((n) => `${n.noticeId} ${n.department} ${n.reason}${n.answered ? ' answered' : ' open'}`).join('; ')}`);
  lines.push('clocks:', ...renderClocks(result.clocks));
  return lines;
}

export function renderFault(f: AuditFault): string {
  const where = f.at.length > 0 ? `  (at ${f.at.map(describeLocation).join('; ')})` : '';
  return `FAULT  case ${f.caseId}  sequence ${f.sequence}  ${f.kind}: ${f.detail}${where}`;
}

export function renderCaseVerification(v: CaseVerification, source: string): string[] {
  if (v.ok) {
    return [`case ${v.caseId}: ${v.records} events, sequences 1..${v.lastSequence}, chain intact (head ${v.lastHash ?? '-'}) in ${source}`];
  }
  return [...v.faults.map(renderFault), `case ${v.caseId}: ${v.records} records, ${v.faults.length} fault(s) in ${source}`];
}

export function renderLogVerification(v: LogVerification): string[] {
  const rate = `${v.records.toLocaleString('en')} events in ${v.cases.toLocaleString('en')} cases in ${(v.elapsedMs / 1000).toFixed(1)} s (${v.recordsPerSecond.toLocaleString('en')} events/s)`;
  if (v.ok) return [`verified ${rate} from ${v.source}: every chain intact`];
  return [...v.faults.map(renderFault), `verified ${rate} from ${v.source}: ${v.faults.length} fault(s) in ${v.faultyCases} case(s)`];
}

export function renderComparison(caseId: string, source: string, c: Comparison): string[] {
  const head = `case ${caseId}: replayed ${c.replayedEvents} events (to sequence ${c.replayedSequence}) from ${source}; the workflow holds version ${c.workflow.version}, published ${c.workflow.publishedSequence}, status ${c.workflow.status}`;
  if (c.same) return [head, 'no difference: the replayed state equals the workflow state'];
  return [
    head,
    `${c.differences.length} difference(s):`,
    ...c.differences.map((d) => `  ${d.path}: replayed ${JSON.stringify(d.replayed) ?? 'nothing'}, workflow ${JSON.stringify(d.workflow) ?? 'nothing'}`),
  ];
}
