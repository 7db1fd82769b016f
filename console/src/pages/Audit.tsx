// 案件审计: a case replayed from its stored events (GET /cases/:id/audit) — the chain verification, the
// comparison with the live workflow, and, with the as-of slider, the state and clocks at any moment.
// The dossier (卷宗) is exported as JSON or opened as a printable page.
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Input, Row, Slider, Space, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { AuditFault, CaseVerification, ClockAt, Comparison, StateAsOf, TimelineEntry as AuditEntry } from '@engine/audit/index.js';
import { accessToken } from '../auth';
import { api, type ApiProblem } from '../api';
import { currentLocale, useLocale } from '../i18n';
import { LEVELS, STATUSES, word } from '../labels';
import { chinaTime, timeLeft } from '../time';
import { clockName, clockStatus, EventTimeline, type TimelineEntry } from './CasePage';

export interface AuditBody {
  caseId: string;
  verification: CaseVerification;
  first: string | null;
  last: string | null;
  timeline: AuditEntry[];
  asOf: StateAsOf;
  comparison: Comparison | null;
}

export function AuditStart() {
  const { tr } = useLocale();
  const navigate = useNavigate();
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('案件审计', 'Audit a case')}</Typography.Title>
      <Input.Search aria-label={tr('审计案件号', 'Case number to audit')} placeholder={tr('输入案件号', 'Case number')} enterButton={tr('打开', 'Open')} style={{ maxWidth: 420 }} onSearch={(v) => v.trim() && navigate(`/audit/${encodeURIComponent(v.trim())}`)} />
    </>
  );
}

export async function downloadDossier(caseId: string): Promise<void> {
  const token = await accessToken();
  const res = await fetch(`/cases/${encodeURIComponent(caseId)}/dossier`, { headers: { authorization: `Bearer ${token}`, 'accept-language': currentLocale() } });
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `dossier-${caseId}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
}

export function Audit() {
  const { id = '' } = useParams();
  const { tr, locale } = useLocale();
  const [asOf, setAsOf] = useState<number>();
  const [sliding, setSliding] = useState<number>();
  const base = `/cases/${encodeURIComponent(id)}/audit`;
  const q = useQuery({ queryKey: ['audit', id, asOf], queryFn: () => api<AuditBody>(asOf ? `${base}?asOf=${new Date(asOf).toISOString()}` : base), placeholderData: (prev) => prev });
  const [range, setRange] = useState<[number, number]>();
  useEffect(() => {
    if (!range && q.data?.first) setRange([Date.parse(q.data.first), Math.max(Date.parse(q.data.last ?? q.data.first), Date.now())]);
  }, [q.data, range]);
  if (q.isLoading) return <Spin />;
  if (q.error) return <Alert type="error" showIcon message={(q.error as ApiProblem).detail} />;
  const a = q.data!;
  const state = a.asOf.state;
  const marks = Object.fromEntries(a.timeline.map((e) => [Date.parse(e.occurredAt), ' ']));
  return (
    <>
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{tr('案件审计', 'Audit')} {a.caseId}</Typography.Title>
        <Link to={`/case/${a.caseId}`}>{tr('案件页', 'Case page')}</Link>
        <Button onClick={() => void downloadDossier(a.caseId)}>{tr('导出卷宗 JSON', 'Export dossier (JSON)')}</Button>
        <Link to={`/dossier/${a.caseId}`}>{tr('打印卷宗', 'Printable dossier')}</Link>
      </Space>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        <Col xs={24} lg={12}>
          <Alert
            data-testid="verification"
            type={a.verification.ok ? 'success' : 'error'}
            showIcon
            message={a.verification.ok ? tr(`哈希链校验通过：${a.verification.records} 条事件，链头 ${a.verification.lastHash?.slice(0, 16)}…`, `Hash chain verified: ${a.verification.records} events, head ${a.verification.lastHash?.slice(0, 16)}…`) : tr('哈希链校验失败', 'The hash chain does not verify')}
            description={a.verification.faults.map((f: AuditFault, i: number) => <div key={i}>{JSON.stringify(f)}</div>)}
          />
        </Col>
        <Col xs={24} lg={12}>
          {a.comparison ? (
            <Alert
              data-testid="comparison"
              type={a.comparison.same ? 'success' : 'warning'}
              showIcon
              message={a.comparison.same ? tr('回放结果与运行中的工作流一致', 'The replay matches the live workflow') : tr(`与运行中的工作流有 ${a.comparison.differences.length} 处不同`, `${a.comparison.differences.length} difference(s) from the live workflow`)}
              description={a.comparison.differences.slice(0, 5).map((d) => <div key={d.path}>{d.path}</div>)}
            />
          ) : (
            <Alert type="info" message={tr('没有运行中的工作流可比较', 'No live workflow to compare with')} />
          )}
        </Col>
      </Row>
      <Card size="small" title={tr('时点回放', 'State as of a moment')} style={{ marginBottom: 12 }}>
        {range && (
          <Slider
            ariaLabelForHandle={tr('回放时点', 'Moment to show')}
            min={range[0]}
            max={range[1]}
            step={60_000}
            marks={marks}
            value={sliding ?? asOf ?? range[1]}
            tooltip={{ formatter: (v) => chinaTime(new Date(v ?? 0).toISOString()) }}
            onChange={(v) => setSliding(v)}
            onChangeComplete={(v) => {
              setSliding(undefined);
              setAsOf(v);
            }}
          />
        )}
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginTop: 8 }}>
          <Descriptions.Item label={tr('时点', 'As of')}><span data-testid="as-of">{chinaTime(a.asOf.asOf)}</span></Descriptions.Item>
          <Descriptions.Item label={tr('已发生事件', 'Events so far')}><span data-testid="events-applied">{a.asOf.eventsApplied}</span></Descriptions.Item>
          <Descriptions.Item label={tr('状态', 'Status')}><Tag data-testid="as-of-status">{word(STATUSES, state.status, locale)}</Tag>{state.status !== 'none' && word(LEVELS, state.level, locale)}</Descriptions.Item>
        </Descriptions>
        <Table<ClockAt>
          rowKey="clock"
          size="small"
          pagination={false}
          dataSource={a.asOf.clocks}
          columns={[
            { title: tr('期限', 'Deadline'), dataIndex: 'policyId', render: (p: string) => clockName(p, locale) },
            { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => clockStatus(s, tr) },
            { title: tr('到期', 'Due'), dataIndex: 'dueAt', render: (d: string) => chinaTime(d) },
            { title: tr('剩余', 'Left'), dataIndex: 'msLeft', render: (ms: number | null) => timeLeft(ms, locale) },
            { title: tr('超期', 'Late'), dataIndex: 'late', render: (l: boolean) => (l ? <Tag color="red">{tr('是', 'yes')}</Tag> : tr('否', 'no')) },
          ]}
        />
      </Card>
      <Card size="small" title={tr('事件记录', 'Events')}>
        <EventTimeline entries={a.timeline.filter((e) => e.sequence <= a.asOf.sequence) as unknown as TimelineEntry[]} />
      </Card>
    </>
  );
}
