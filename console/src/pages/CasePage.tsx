// 案件页: the case as its workflow holds it now — header, every SLA clock (due, time left, pauses,
// extensions), the referrals with their OLA, the timeline in plain words — and the actions the core would
// accept from this user now (GET /cases/:id/actions), each a form that sends the command.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Empty, Modal, Result, Row, Space, Spin, Table, Tag, Timeline, Typography, message } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { CaseState, Referral } from '@engine/domain/case/state.js';
import type { SlaClock, SlaClocks } from '@engine/domain/sla/clock.js';
import { slaPolicySet2025 } from '@engine/domain/sla/policies.js';
import { api, ApiProblem } from '../api';
import { CommandForm } from '../components/CommandForm';
import { Light, type LightColour } from '../components/Light';
import { useLocale, type Locale } from '../i18n';
import { CHANNELS, COMMANDS, DEPARTMENTS, DISPUTE_TYPES, EVENTS, LEVELS, ROLES, STATUSES, VALUES, word } from '../labels';
import type { Me } from '../me';
import { chinaTime, timeLeft } from '../time';

export interface CaseViewBody {
  state: CaseState;
  clocks: SlaClocks;
  nextDueAt: string | null;
  lastHash: string;
  /** 红黄绿灯 of each running duty clock, by key, as the API computed it. */
  lights: Record<string, LightColour>;
}

export interface Action {
  type: string;
  target?: Record<string, string>;
  nextStep: boolean;
}

export interface TimelineEntry {
  sequence: number;
  occurredAt: string;
  type: string;
  actor: { id: string; role: string; department?: string };
  status: { before: string; after: string };
  reason?: string;
  notes: string[];
}

export function clockName(policyId: string, locale: Locale): string {
  const p = slaPolicySet2025.policies.find((x) => x.id === policyId);
  return p ? p.name[locale === 'en' ? 'en' : 'zh'] : policyId;
}

export function clockStatus(s: string, tr: (zh: string, en: string) => string): string {
  return ({ running: tr('计时中', 'running'), paused: tr('暂停', 'paused'), stopped: tr('已完成', 'done'), cancelled: tr('已取消', 'cancelled'), lapsed: tr('已届满（当事人期限）', "lapsed (a party's window)") } as Record<string, string>)[s] ?? s;
}

export function ClockTable({ clocks, lights }: { clocks: SlaClock[]; lights: Record<string, LightColour> }) {
  const { tr, locale } = useLocale();
  const now = Date.now();
  return (
    <Table<SlaClock>
      rowKey="key"
      size="small"
      pagination={false}
      dataSource={clocks}
      columns={[
        { title: tr('期限', 'Deadline'), dataIndex: 'policyId', render: (p: string, c) => <>{clockName(p, locale)}{c.scope ? <Typography.Text type="secondary"> · {c.scope in DEPARTMENTS ? word(DEPARTMENTS, c.scope, locale) : c.scope.split('/').pop()}</Typography.Text> : null}</> },
        { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => clockStatus(s, tr) },
        { title: tr('到期（北京时间）', 'Due (China time)'), dataIndex: 'dueAt', render: (d: string) => chinaTime(d) },
        { title: tr('剩余', 'Time left'), render: (_: unknown, c) => (c.status === 'running' ? <Space size={4}>{lights[c.key] ? <Light light={lights[c.key]!} /> : null}{timeLeft(Date.parse(c.dueAt) - now, locale)}</Space> : '—') },
        { title: tr('暂停', 'Pauses'), render: (_: unknown, c) => (c.pauses.length ? `${c.pauses.length}（${timeLeft(c.pausedTotalMs, locale)}）` : '—') },
        { title: tr('延期', 'Extensions'), render: (_: unknown, c) => (c.extensions.length ? c.extensions.map((e) => tr(`${e.days}天`, `${e.days} d`)).join('、') : '—') },
      ]}
    />
  );
}

export function EventTimeline({ entries }: { entries: TimelineEntry[] }) {
  const { tr, locale } = useLocale();
  return (
    <Timeline
      items={entries.map((e) => ({
        color: e.type.includes('Breached') || e.type.includes('Overdue') ? 'red' : e.type.includes('Warned') ? 'orange' : 'blue',
        children: (
          <div>
            <strong>{word(EVENTS, e.type, locale)}</strong>
            <Typography.Text type="secondary"> · {chinaTime(e.occurredAt)} · {word(ROLES, e.actor.role, locale)}{e.actor.department ? `（${word(DEPARTMENTS, e.actor.department, locale)}）` : ''} {e.actor.id}</Typography.Text>
            {e.status.before !== e.status.after && <div>{tr('状态', 'Status')}：{word(STATUSES, e.status.before, locale)} → {word(STATUSES, e.status.after, locale)}</div>}
            {e.reason && <div>{tr('原因', 'Reason')}：{word(VALUES, e.reason, locale)}</div>}
            {e.notes.map((n, i) => <div key={i}>{n}</div>)}
          </div>
        ),
      }))}
    />
  );
}

function targetText(t: Record<string, string> | undefined, locale: Locale): string {
  if (!t) return '';
  if (t.department) return `（${word(DEPARTMENTS, t.department, locale)}）`;
  if (t.sessionId) return `（${t.sessionId.split('/').pop()}）`;
  if (t.noticeId) return `（${t.noticeId.split('/').pop()}）`;
  if (t.clock) return `（${clockName(t.clock.split(':')[0]!, locale)}）`;
  return '';
}

export function CasePage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const { tr, locale } = useLocale();
  const qc = useQueryClient();
  const [open, setOpen] = useState<Action>();
  const path = `/cases/${encodeURIComponent(id)}`;
  const view = useQuery({ queryKey: ['state', id], queryFn: () => api<CaseViewBody>(`${path}/state`) });
  const actions = useQuery({ queryKey: ['actions', id], queryFn: () => api<{ actions: Action[] }>(`${path}/actions`), enabled: view.isSuccess });
  const events = useQuery({ queryKey: ['timeline', id], queryFn: () => api<TimelineEntry[]>(`${path}/timeline`), enabled: view.isSuccess, retry: 3, retryDelay: 500 });

  if (view.isLoading) return <Spin />;
  if (view.error) {
    const p = view.error as ApiProblem;
    return <Result status={p.status === 403 ? '403' : p.status === 404 ? '404' : 'error'} title={p.status === 403 ? tr('无权查看此案件', 'You may not open this case') : tr('无法打开案件', 'Cannot open the case')} subTitle={<span role="alert" data-testid="case-error">{p.detail}</span>} />;
  }
  const s = view.data!.state;
  if (s.status === 'none') return <Empty />;
  const clocks = Object.values(view.data!.clocks).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['state', id] });
    void qc.invalidateQueries({ queryKey: ['actions', id] });
    void qc.invalidateQueries({ queryKey: ['my-work'] });
    // The timeline comes from the read model, a moment behind the workflow.
    setTimeout(() => void qc.invalidateQueries({ queryKey: ['timeline', id] }), 1200);
  };
  const list = actions.data?.actions ?? [];
  // A referral's OLA: the objection window of the clock kept for its department (or the referral itself).
  const ola = (r: Referral) => clocks.find((c) => c.policyId === 'referral-objection' && (c.scope === r.referralId || c.scope === r.department)) ?? clocks.find((c) => c.scope === r.referralId);
  return (
    <>
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }} data-testid="case-title">{tr('案件', 'Case')} {s.caseId}</Typography.Title>
        <Tag color="blue" data-testid="case-status">{word(STATUSES, s.status, locale)}</Tag>
        {s.collective && <Tag color="purple">{tr('群体性纠纷', 'Collective dispute')}</Tag>}
        {s.priority === 'urgent' && <Tag color="red">{tr('紧急', 'Urgent')}</Tag>}
        {s.suspended && <Tag>{tr('中止中', 'Suspended')}</Tag>}
        {me.operations.includes('cases.audit') && <Link to={`/audit/${s.caseId}`}>{tr('审计视图', 'Audit view')}</Link>}
      </Space>
      <Descriptions size="small" bordered column={{ xs: 1, md: 2, lg: 3 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={tr('被投诉企业', 'Respondent')}>{s.respondent.name}</Descriptions.Item>
        <Descriptions.Item label={tr('镇街 / 层级', 'Town / level')}>{s.respondent.town} / {word(LEVELS, s.level, locale)}</Descriptions.Item>
        <Descriptions.Item label={tr('争议类型', 'Dispute type')}>{word(DISPUTE_TYPES, s.disputeType ?? s.claim.disputeTypeHint, locale)}</Descriptions.Item>
        <Descriptions.Item label={tr('牵头部门', 'Lead department')}>{s.route ? word(DEPARTMENTS, s.route.leadDepartment, locale) : '—'}</Descriptions.Item>
        <Descriptions.Item label={tr('协办部门', 'Joining')}>{s.route?.joiningDepartments.map((d) => word(DEPARTMENTS, d, locale)).join('、') || '—'}</Descriptions.Item>
        <Descriptions.Item label={tr('登记', 'Received')}>{chinaTime(s.receivedAt)} · {word(CHANNELS, s.channel, locale)} · {tr(`${s.workerCount}人`, `${s.workerCount} worker(s)`)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={12}>
        <Col xs={24} xl={16}>
          <Card size="small" title={tr('办理期限', 'Deadlines')} style={{ marginBottom: 12 }}>
            <ClockTable clocks={clocks} lights={view.data!.lights} />
          </Card>
          <Card size="small" title={tr('部门协办', 'Referrals')} style={{ marginBottom: 12 }}>
            <Table<Referral>
              rowKey="referralId"
              size="small"
              pagination={false}
              dataSource={Object.values(s.referrals)}
              locale={{ emptyText: tr('无协办', 'No referrals') }}
              columns={[
                { title: tr('部门', 'Department'), dataIndex: 'department', render: (d: string) => word(DEPARTMENTS, d, locale) },
                { title: tr('状态', 'Status'), dataIndex: 'status', render: (st: string, r) => <>{({ open: tr('待接收', 'open'), accepted: tr('已接收', 'accepted'), answered: tr('已答复', 'answered'), objected: tr('已提异议', 'objected'), closed: tr('已结束', 'closed') })[st] ?? st}{r.overdue && <Tag color="red" style={{ marginLeft: 4 }}>{tr('逾期', 'overdue')}</Tag>}</> },
                { title: tr('发出', 'Opened'), dataIndex: 'openedAt', render: (d: string) => chinaTime(d) },
                { title: tr('协办时限（OLA）', 'OLA'), render: (_: unknown, r) => { const c = ola(r); return c ? `${chinaTime(c.dueAt)}${c.status === 'running' ? ` · ${timeLeft(Date.parse(c.dueAt) - Date.now(), locale)}` : ''}` : '—'; } },
              ]}
            />
          </Card>
          <Card size="small" title={tr('办理经过', 'Timeline')}>
            {events.error ? <Alert type="warning" message={(events.error as ApiProblem).detail} /> : <EventTimeline entries={events.data ?? []} />}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={tr('可办理事项', 'Actions')} data-testid="actions">
            {actions.isLoading && <Spin />}
            {actions.isSuccess && list.length === 0 && <Typography.Text type="secondary">{tr('您目前在此案件上没有可办理的事项', 'Nothing for you to do on this case now')}</Typography.Text>}
            <Space direction="vertical" style={{ width: '100%' }}>
              {list.map((a, i) => (
                <Button key={`${a.type}-${i}`} block type={a.nextStep ? 'primary' : 'default'} onClick={() => setOpen(a)} data-action={a.type}>
                  {word(COMMANDS, a.type, locale)}{targetText(a.target, locale)}
                </Button>
              ))}
            </Space>
          </Card>
        </Col>
      </Row>
      <Modal open={!!open} title={open ? `${word(COMMANDS, open.type, locale)}${targetText(open.target, locale)}` : ''} footer={null} onCancel={() => setOpen(undefined)} destroyOnHidden width={640}>
        {open && (
          <CommandForm
            caseId={s.caseId}
            type={open.type}
            {...(open.target ? { target: open.target } : {})}
            onDone={() => {
              void message.success(tr('已办理', 'Done'));
              setOpen(undefined);
              refresh();
            }}
          />
        )}
      </Modal>
    </>
  );
}
