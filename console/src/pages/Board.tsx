// 督办看板: overdue and at-risk cases, and the open supervision notices with their due moment.
import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, type ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { DEPARTMENTS, LEVELS, STATUSES, word } from '../labels';
import type { Me } from '../me';
import { chinaTime, timeLeft } from '../time';
import type { DeadlineCase, OpenNotice as Notice } from '@engine/readmodels/queries.js';
import { clockName } from './CasePage';

export function Board({ me }: { me: Me }) {
  const { tr, locale } = useLocale();
  const overdue = useQuery({ queryKey: ['overdue'], queryFn: () => api<DeadlineCase[]>('/overdue'), enabled: me.operations.includes('deadlines.read') });
  const atRisk = useQuery({ queryKey: ['at-risk'], queryFn: () => api<DeadlineCase[]>('/at-risk'), enabled: me.operations.includes('deadlines.read') });
  const notices = useQuery({ queryKey: ['supervision'], queryFn: () => api<Notice[]>('/supervision'), enabled: me.operations.includes('supervision.read') });
  const caseColumns = [
    { title: tr('案件号', 'Case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/case/${id}`}>{id}</Link> },
    { title: tr('被申请人', 'Respondent'), dataIndex: 'respondentName' },
    { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => word(STATUSES, s, locale) },
    { title: tr('层级', 'Level'), dataIndex: 'level', render: (l: string) => word(LEVELS, l, locale) },
    { title: tr('期限', 'Deadline'), dataIndex: 'clocks', render: (c: DeadlineCase['clocks']) => c.map((x) => `${clockName(x.policyId, locale)}（${word(DEPARTMENTS, x.department, locale)}）`).join('、') },
    { title: tr('到期', 'Due'), dataIndex: 'dueAt', render: (d: string) => chinaTime(d) },
    { title: tr('剩余 / 超期', 'Left / late'), dataIndex: 'timeLeftMs', render: (ms: number) => timeLeft(ms, locale) },
  ];
  const err = [overdue.error, atRisk.error, notices.error].find(Boolean) as ApiProblem | undefined;
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('督办看板', 'Supervision board')}</Typography.Title>
      {err && <Alert type="error" message={err.detail} />}
      <Tabs
        items={[
          { key: 'overdue', label: <Badge count={overdue.data?.length ?? 0} offset={[12, 0]}>{tr('超期案件', 'Overdue')}</Badge>, children: <Table rowKey="caseId" size="middle" loading={overdue.isLoading} dataSource={overdue.data ?? []} columns={caseColumns} /> },
          { key: 'at-risk', label: <Badge count={atRisk.data?.length ?? 0} color="orange" offset={[12, 0]}>{tr('临期预警', 'At risk')}</Badge>, children: <Table rowKey="caseId" size="middle" loading={atRisk.isLoading} dataSource={atRisk.data ?? []} columns={caseColumns} /> },
          {
            key: 'notices',
            label: <Badge count={notices.data?.length ?? 0} color="blue" offset={[12, 0]}>{tr('督办单', 'Notices')}</Badge>,
            children: (
              <Table<Notice>
                rowKey="noticeId"
                size="middle"
                loading={notices.isLoading}
                dataSource={notices.data ?? []}
                columns={[
                  { title: tr('案件号', 'Case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/case/${id}`}>{id}</Link> },
                  { title: tr('责任部门', 'Department'), dataIndex: 'department', render: (d: string) => word(DEPARTMENTS, d, locale) },
                  { title: tr('原因', 'Reason'), dataIndex: 'reason', render: (r: string) => ({ 'clock-breach': tr('期限超时', 'deadline breached'), 'collective-dispute': tr('群体性纠纷', 'collective dispute'), manual: tr('人工督办', 'manual') })[r] ?? r },
                  { title: tr('发出', 'Issued'), dataIndex: 'issuedAt', render: (d: string) => chinaTime(d) },
                  { title: tr('答复期限', 'Answer by'), dataIndex: 'dueAt', render: (d: string, n) => <>{chinaTime(d)}{n.overdue && <Tag color="red" style={{ marginLeft: 4 }}>{tr('逾期', 'late')}</Tag>}</> },
                ]}
              />
            ),
          },
        ]}
      />
    </>
  );
}
