// 卷宗 as a printable page: the dossier JSON laid out for paper (print stylesheet in print.css).
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Spin, Table, Typography } from 'antd';
import { useParams } from 'react-router';
import type { Dossier } from '@engine/audit/index.js';
import { api, type ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { EVENTS, ROLES, STATUSES, word } from '../labels';
import { chinaTime } from '../time';
import { clockName, clockStatus } from './CasePage';

export function DossierPrint() {
  const { id = '' } = useParams();
  const { tr, locale } = useLocale();
  const q = useQuery({ queryKey: ['dossier', id], queryFn: () => api<Dossier>(`/cases/${encodeURIComponent(id)}/dossier`) });
  if (q.isLoading) return <Spin />;
  if (q.error) return <Alert type="error" message={(q.error as ApiProblem).detail} />;
  const d = q.data!;
  return (
    <div className="print-page">
      <Typography.Title level={2} style={{ textAlign: 'center', fontSize: 22 }}>{tr('劳动争议调处案件卷宗', 'Case dossier')}</Typography.Title>
      <Descriptions bordered size="small" column={2}>
        <Descriptions.Item label={tr('案件号', 'Case')}>{d.caseId}</Descriptions.Item>
        <Descriptions.Item label={tr('状态', 'Status')}>{word(STATUSES, d.state.status, locale)}</Descriptions.Item>
        <Descriptions.Item label={tr('导出时间', 'Exported')}>{chinaTime(d.exportedAt)}</Descriptions.Item>
        <Descriptions.Item label={tr('哈希链', 'Hash chain')}>{d.verification.ok ? tr('校验通过', 'verified') : tr('校验失败', 'FAILED')}（{d.verification.records}）</Descriptions.Item>
        <Descriptions.Item label={tr('个人信息', 'Personal data')} span={2}>{d.personalData === 'redacted' ? tr('已脱敏', 'redacted') : tr('含个人信息', 'included')}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>{tr('期限', 'Deadlines')}</Typography.Title>
      <Table size="small" pagination={false} rowKey="clock" dataSource={d.clocks} columns={[{ title: tr('期限', 'Deadline'), dataIndex: 'policyId', render: (p: string) => clockName(p, locale) }, { title: tr('状态', 'Status'), dataIndex: 'status', render: (x: string) => clockStatus(x, tr) }, { title: tr('到期', 'Due'), dataIndex: 'dueAt', render: (x: string) => chinaTime(x) }]} />
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>{tr('办理经过', 'Timeline')}</Typography.Title>
      <Table
        size="small"
        pagination={false}
        rowKey="sequence"
        dataSource={d.timeline}
        columns={[
          { title: '#', dataIndex: 'sequence', width: 40 },
          { title: tr('时间', 'When'), dataIndex: 'occurredAt', render: (x: string) => chinaTime(x) },
          { title: tr('事项', 'What'), dataIndex: 'type', render: (t: string) => word(EVENTS, t, locale) },
          { title: tr('经办', 'Who'), dataIndex: 'actor', render: (a: { id: string; role: string }) => `${word(ROLES, a.role, locale)} ${a.id}` },
          { title: tr('说明', 'Why'), render: (_: unknown, e) => [e.reason, ...e.notes].filter(Boolean).join('；') },
        ]}
      />
      <Button className="no-print" type="primary" style={{ marginTop: 16 }} onClick={() => window.print()}>{tr('打印', 'Print')}</Button>
    </div>
  );
}
