// 风险预警: enterprises with a rising number of complaints (GET /early-warnings), their trend beside them.
import { useQuery } from '@tanstack/react-query';
import { Alert, Table, Tag, Typography } from 'antd';
import { api, type ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { chinaDate } from '../time';
import type { EarlyWarning } from '@engine/readmodels/queries.js';

export function Warnings() {
  const { tr } = useLocale();
  const asOf = chinaDate(new Date());
  const q = useQuery({ queryKey: ['warnings', asOf], queryFn: () => api<EarlyWarning[]>(`/early-warnings?asOf=${asOf}&threshold=1`) });
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('企业风险预警', 'Early warning')}</Typography.Title>
      <Typography.Paragraph type="secondary">{tr(`截至 ${asOf}，近30天投诉与前30天对比`, `To ${asOf}: the last 30 days against the 30 before`)}</Typography.Paragraph>
      {q.error && <Alert type="error" message={(q.error as ApiProblem).detail} />}
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
          { title: tr('预警原因', 'Why'), dataIndex: 'reasons', render: (r: string[]) => r.map((x) => <Tag key={x} color="orange">{x === 'threshold' ? tr('超过阈值', 'over threshold') : tr('翻倍', 'doubled')}</Tag>) },
        ]}
      />
    </>
  );
}
