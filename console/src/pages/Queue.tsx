// 协办队列: the department's open cases (GET /queues/:department), least time left first. Accepting,
// answering and objecting to a referral are the case page's actions.
import { useQuery } from '@tanstack/react-query';
import { Alert, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, type ApiProblem } from '../api';
import type { QueueItem } from '@engine/readmodels/queries.js';
import { Light } from '../components/Light';
import { useLocale } from '../i18n';
import { DEPARTMENTS, LEVELS, STATUSES, word } from '../labels';
import { chinaTime, timeLeft } from '../time';

export function Queue({ department }: { department: string }) {
  const { tr, locale } = useLocale();
  const q = useQuery({ queryKey: ['queue', department], queryFn: () => api<QueueItem[]>(`/queues/${department}`) });
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr(`协办队列 · ${word(DEPARTMENTS, department, locale)}`, `Referral queue · ${word(DEPARTMENTS, department, locale)}`)}</Typography.Title>
      {q.error && <Alert type="error" message={(q.error as ApiProblem).detail} />}
      <Table<QueueItem>
        rowKey={(r) => `${r.caseId}-${r.role}`}
        size="middle"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        columns={[
          { title: tr('灯', 'Light'), dataIndex: 'light', render: (l: QueueItem['light'], r) => (r.dueAt ? <Light light={l} /> : '—') },
          { title: tr('案件号', 'Case'), dataIndex: 'caseId', render: (id: string) => <Link to={`/case/${id}`}>{id}</Link> },
          { title: tr('本部门角色', 'Our role'), dataIndex: 'role', render: (r: string) => <Tag>{({ lead: tr('牵头', 'lead'), referral: tr('协办', 'referral'), clock: tr('期限责任', 'deadline') })[r] ?? r}</Tag> },
          { title: tr('被申请人', 'Respondent'), dataIndex: 'respondentName' },
          { title: tr('状态', 'Status'), dataIndex: 'status', render: (s: string) => word(STATUSES, s, locale) },
          { title: tr('层级', 'Level'), dataIndex: 'level', render: (l: string) => word(LEVELS, l, locale) },
          { title: tr('期限', 'Due'), dataIndex: 'dueAt', render: (d: string | null) => chinaTime(d) },
          { title: tr('剩余', 'Left'), dataIndex: 'timeLeftMs', render: (ms: number | null) => timeLeft(ms, locale) },
        ]}
      />
    </>
  );
}
