// 我的待办: the cases on which the core offers me a next step now (GET /my-work), least time left first,
// with the traffic light of their earliest deadline and the counts per light.
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Row, Statistic, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { apiAllPages, type ApiProblem } from '../api';
import type { WorkItem } from '@engine/api/routes/my-work.js';
import { Light, type LightColour } from '../components/Light';
import { useLocale } from '../i18n';
import { COMMANDS, STATUSES, word } from '../labels';
import { chinaTime, timeLeft } from '../time';

export function MyWork() {
  const { tr, locale } = useLocale();
  const work = useQuery({ queryKey: ['my-work'], queryFn: () => apiAllPages<WorkItem>('/my-work'), refetchInterval: 30_000 });
  const rows = work.data ?? [];
  const count = (l: LightColour) => rows.filter((r) => r.light === l).length;
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('我的待办', 'My work')}</Typography.Title>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        <Col span={6}><Card size="small"><Statistic title={tr('待办合计', 'Waiting')} value={rows.length} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('红灯（超期）', 'Red (overdue)')} value={count('red')} valueStyle={{ color: '#cf1322' }} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('黄灯（预警）', 'Yellow (warning)')} value={count('yellow')} valueStyle={{ color: '#ad6800' }} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={tr('绿灯（正常）', 'Green (on time)')} value={count('green')} valueStyle={{ color: '#237804' }} /></Card></Col>
      </Row>
      {work.error && <Alert type="error" showIcon message={(work.error as ApiProblem).detail ?? String(work.error)} />}
      <Table<WorkItem>
        rowKey="caseId"
        size="middle"
        loading={work.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: tr('灯', 'Light'), dataIndex: 'light', width: 110, render: (l: LightColour) => <Light light={l} /> },
          { title: tr('案件号', 'Case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/case/${id}`}>{id}</Link> },
          { title: tr('被申请人', 'Respondent'), dataIndex: 'respondentName' },
          { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string, r) => <>{word(STATUSES, s, locale)}{r.collective && <Tag color="purple" style={{ marginLeft: 4 }}>{tr('群体', 'Collective')}</Tag>}{r.suspended && <Tag style={{ marginLeft: 4 }}>{tr('中止', 'Suspended')}</Tag>}</> },
          { title: tr('待办事项', 'Next step'), dataIndex: 'actions', render: (a: string[]) => a.map((t) => word(COMMANDS, t, locale)).join('、') },
          { title: tr('期限', 'Due'), dataIndex: 'dueAt', render: (d: string | null) => chinaTime(d) },
          { title: tr('剩余时间', 'Time left'), dataIndex: 'timeLeftMs', render: (ms: number | null) => timeLeft(ms, locale) },
        ]}
      />
    </>
  );
}
