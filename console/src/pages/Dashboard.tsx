// 驾驶舱: the KPIs of the read model (GET /kpis) — the monthly trend with the same months a year before,
// the four 100% rates (登记、办理、答复、回访) and the on-time rate by department, level and dispute type,
// and a drill-down from a department, a level or a dispute type to its cases (GET /kpis/cases).
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Row, Segmented, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, type ApiProblem } from '../api';
import { Chart } from '../components/Chart';
import { useLocale } from '../i18n';
import { DEPARTMENTS, DISPUTE_TYPES, LEVELS, STATUSES, word } from '../labels';
import { chinaDate, chinaTime } from '../time';
import type { KpiCase, KpiRow } from '@engine/readmodels/queries.js';

type Dimension = 'department' | 'level' | 'disputeType';

const monthsBack = (n: number) => {
  const today = chinaDate(new Date());
  const d = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 7);
};

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);

export default function Dashboard() {
  const { tr, locale } = useLocale();
  const [dim, setDim] = useState<Dimension>('department');
  const [drill, setDrill] = useState<string>();
  const from = monthsBack(11);
  const to = monthsBack(0);
  const q = useQuery({ queryKey: ['kpis', from, to, dim], queryFn: () => api<KpiRow[]>(`/kpis?from=${from}&to=${to}&groupBy=${dim}`) });
  // The county's totals per month, with their rates and year-on-year change as the API computes them.
  const totals = useQuery({ queryKey: ['kpis', from, to], queryFn: () => api<KpiRow[]>(`/kpis?from=${from}&to=${to}&groupBy=`) });
  const rows = q.data ?? [];
  const words = { department: DEPARTMENTS, level: LEVELS, disputeType: DISPUTE_TYPES }[dim];

  const months = useMemo(() => Array.from({ length: 12 }, (_, i) => monthsBack(11 - i)), []);
  const total = (m: string) => totals.data?.find((r) => r.month === m);
  const thisMonth = total(to);
  const groups = [...new Set(rows.map((r) => r[dim] ?? '—'))];
  const latest = (g: string) => rows.filter((r) => (r[dim] ?? '—') === g).sort((a, b) => b.month.localeCompare(a.month))[0];
  const received = thisMonth?.received ?? 0;
  const lastYear = thisMonth?.previousYear?.received ?? 0;
  const receivedYoy = thisMonth?.yoy.received ?? null;

  // The cases behind a group's figures: received in the dashboard's months, of that department, level or type.
  const drillCases = useQuery({
    queryKey: ['kpi-cases', from, to, dim, drill],
    queryFn: () => api<KpiCase[]>(`/kpis/cases?from=${from}&to=${to}&${dim}=${encodeURIComponent(drill!)}`),
    enabled: !!drill,
  });
  const dimName = { department: tr('部门', 'Department'), level: tr('层级', 'Level'), disputeType: tr('争议类型', 'Dispute type') }[dim];

  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('驾驶舱', 'Dashboard')}</Typography.Title>
      {q.error && <Alert type="error" message={(q.error as ApiProblem).detail} />}
      <Row gutter={12} style={{ marginBottom: 12 }}>
        <Col span={6}><Card size="small"><Statistic title={tr(`本月受理（${to}）`, `Received this month (${to})`)} value={received} data-testid="kpi-received" /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('去年同期', 'Same month last year')} value={lastYear} suffix={receivedYoy === null ? '' : `（${tr('同比', 'YoY')} ${Math.round(receivedYoy * 100)}%）`} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('本月结案', 'Closed this month')} value={thisMonth?.closed ?? 0} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('本月按期结案率', 'On-time rate this month')} value={pct(thisMonth?.onTimeRate) ?? '—'} suffix="%" /></Card></Col>
      </Row>
      <Row gutter={12}>
        <Col xs={24} xl={12}>
          <Card size="small" title={tr('月度趋势（同比）', 'Monthly trend (year on year)')} style={{ marginBottom: 12 }}>
            <Chart
              label={tr('月度受理与结案趋势图', 'Monthly trend chart')}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 40, right: 16, bottom: 30, top: 40 },
                xAxis: { type: 'category', data: months },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: tr('受理', 'Received'), type: 'line', data: months.map((m) => total(m)?.received ?? 0) },
                  { name: tr('结案', 'Closed'), type: 'line', data: months.map((m) => total(m)?.closed ?? 0) },
                  { name: tr('去年同期受理', 'Received a year before'), type: 'line', lineStyle: { type: 'dashed' }, data: months.map((m) => total(m)?.previousYear?.received ?? 0) },
                ],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            size="small"
            title={tr('四个100%与按期率（最近一月）', 'The four 100% rates and on-time rate (latest month)')}
            extra={<Segmented size="small" value={dim} onChange={(v) => { setDim(v as Dimension); setDrill(undefined); }} options={[{ value: 'department', label: tr('部门', 'Department') }, { value: 'level', label: tr('层级', 'Level') }, { value: 'disputeType', label: tr('类型', 'Type') }]} />}
            style={{ marginBottom: 12 }}
          >
            <Chart
              label={tr('各项比率柱状图，点击分组查看案件', 'Rates by group; click a group for its cases')}
              onClick={(name) => setDrill(groups.find((g) => word(words, g, locale) === name))}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 40, right: 16, bottom: 30, top: 50 },
                xAxis: { type: 'category', data: groups.map((g) => word(words, g, locale)) },
                yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                series: (
                  [
                    ['recordedRate', tr('登记率', 'Recorded')],
                    ['handledRate', tr('办理率', 'Handled')],
                    ['repliedRate', tr('答复率', 'Replied')],
                    ['feedbackRate', tr('回访率', 'Feedback')],
                    ['onTimeRate', tr('按期率', 'On time')],
                  ] as const
                ).map(([k, name]) => ({ name, type: 'bar', data: groups.map((g) => pct(latest(g)?.[k])) })),
              }}
            />
          </Card>
        </Col>
      </Row>
      {drill && (
        <Card size="small" data-testid="drill-down" title={tr(`${dimName}「${word(words, drill, locale)}」的案件（${from} 至 ${to} 受理）`, `Cases of ${dimName.toLowerCase()} ${word(words, drill, locale)} (received ${from} to ${to})`)}>
          <Table<KpiCase>
            rowKey="caseId"
            size="small"
            loading={drillCases.isLoading}
            dataSource={drillCases.data ?? []}
            pagination={{ pageSize: 10 }}
            columns={[
              { title: tr('案件号', 'Case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/case/${id}`}>{id}</Link> },
              { title: tr('被申请人', 'Respondent'), dataIndex: 'respondentName' },
              { title: tr('部门', 'Department'), dataIndex: 'department', render: (v: string) => word(DEPARTMENTS, v, locale) },
              { title: tr('层级', 'Level'), dataIndex: 'level', render: (v: string) => word(LEVELS, v, locale) },
              { title: tr('争议类型', 'Dispute type'), dataIndex: 'disputeType', render: (v: string) => word(DISPUTE_TYPES, v, locale) },
              { title: tr('受理时间', 'Received'), dataIndex: 'receivedAt', render: (v: string) => chinaTime(v) },
              { title: tr('状态', 'Status'), dataIndex: 'status', render: (v: string) => word(STATUSES, v, locale) },
            ]}
          />
        </Card>
      )}
      <Card size="small" title={tr('明细', 'Figures')} style={{ marginTop: 12 }}>
        <Table<KpiRow>
          rowKey={(r) => `${r.month}-${r[dim]}`}
          size="small"
          dataSource={rows}
          pagination={{ pageSize: 10 }}
          data-testid="kpi-table"
          columns={[
            { title: tr('月份', 'Month'), dataIndex: 'month' },
            { title: dimName, render: (_: unknown, r) => <Button type="link" size="small" style={{ padding: 0 }} data-group={r[dim]} onClick={() => setDrill(r[dim])}>{word(words, r[dim], locale)}</Button> },
            { title: tr('受理', 'Received'), dataIndex: 'received' },
            { title: tr('结案', 'Closed'), dataIndex: 'closed' },
            { title: tr('答复率', 'Replied'), dataIndex: 'repliedRate', render: (v: number | null) => (pct(v) === null ? '—' : `${pct(v)}%`) },
            { title: tr('按期率', 'On time'), dataIndex: 'onTimeRate', render: (v: number | null) => (pct(v) === null ? '—' : `${pct(v)}%`) },
          ]}
        />
      </Card>
    </>
  );
}
