// 风险预警: enterprises with a rising number of complaints (GET /early-warnings), and each one's complaints
// in the 30-day windows before (GET /early-warnings/trend) as a line chart: the rise, not only its size.
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Table, Tag, Typography } from 'antd';
import { api, type ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { Chart } from '../components/Chart';
import { chinaDate } from '../time';
import type { ComplaintTrend, EarlyWarning } from '@engine/readmodels/queries.js';

export function Warnings() {
  const { tr } = useLocale();
  const asOf = chinaDate(new Date());
  const q = useQuery({ queryKey: ['warnings', asOf], queryFn: () => api<EarlyWarning[]>(`/early-warnings?asOf=${asOf}&threshold=1`) });
  const warned = (q.data ?? []).slice(0, 10);
  const trend = useQuery({
    queryKey: ['warning-trend', asOf, warned.map((w) => w.creditCode).join(',')],
    queryFn: () => api<ComplaintTrend[]>(`/early-warnings/trend?asOf=${asOf}&windows=6&creditCodes=${warned.map((w) => w.creditCode).join(',')}`),
    enabled: warned.length > 0,
  });
  const windows = trend.data?.[0]?.windows ?? [];
  const nameOf = (code: string) => warned.find((w) => w.creditCode === code)?.enterprise ?? code;
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('企业风险预警', 'Early warning')}</Typography.Title>
      <Typography.Paragraph type="secondary">{tr(`截至 ${asOf}，近30天投诉与前30天对比`, `To ${asOf}: the last 30 days against the 30 before`)}</Typography.Paragraph>
      {q.error && <Alert type="error" message={(q.error as ApiProblem).detail} />}
      {warned.length > 0 && (
        <Card size="small" title={tr('预警企业投诉趋势（每30天）', 'Complaint trend of the warned enterprises (per 30 days)')} style={{ marginBottom: 12 }} data-testid="warning-trend">
          <Chart
            label={tr(`预警企业投诉趋势折线图：${warned.map((w) => `${w.enterprise} 近30天 ${w.complaints} 件`).join('；')}`, `Complaint trend chart: ${warned.map((w) => `${w.enterprise} ${w.complaints} in the last 30 days`).join('; ')}`)}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 40, right: 16, bottom: 30, top: 40 },
              // Each window by its last China day (a window ends at the end of that day, the next day's midnight).
              xAxis: { type: 'category', data: windows.map((w) => chinaDate(new Date(Date.parse(w.to) - 1)).slice(5)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: (trend.data ?? []).map((t) => ({ name: nameOf(t.creditCode), type: 'line', data: t.windows.map((w) => w.complaints) })),
            }}
          />
        </Card>
      )}
      <Table<EarlyWarning>
        rowKey="creditCode"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        columns={[
          { title: tr('企业', 'Enterprise'), dataIndex: 'enterprise' },
          { title: tr('信用代码', 'Credit code'), dataIndex: 'creditCode' },
          { title: tr('近30天投诉', 'Last 30 days'), dataIndex: 'complaints' },
          { title: tr('前30天', 'Before'), dataIndex: 'previous' },
          { title: tr('趋势', 'Trend'), render: (_: unknown, r) => (r.complaints > r.previous ? <Tag color="red">↑ {r.complaints - r.previous}</Tag> : <Tag>→</Tag>) },
          { title: tr('涉及人数', 'Workers'), dataIndex: 'workers' },
          { title: tr('群体性', 'Collective'), dataIndex: 'collective' },
          { title: tr('预警原因', 'Why'), dataIndex: 'reasons', render: (r: string[]) => r.map((x) => <Tag key={x} color="orange" style={{ color: '#873800' }}>{x === 'threshold' ? tr('超过阈值', 'over threshold') : tr('翻倍', 'doubled')}</Tag>) },
        ]}
      />
    </>
  );
}
