// 受理回执: the receipt a clerk prints for the complainant — case number, when and how it was received,
// and the reply deadline (the complaint-reply clock's due moment, China time).
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Space, Spin, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { api, ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { CHANNELS, DISPUTE_TYPES, word } from '../labels';
import { chinaTime } from '../time';
import type { CaseViewBody } from './CasePage';

export function Receipt() {
  const { id = '' } = useParams();
  const { tr, locale } = useLocale();
  // The workflow answers as soon as it has taken the case; a few retries cover the first moments.
  const view = useQuery({ queryKey: ['state', id], queryFn: () => api<CaseViewBody>(`/cases/${encodeURIComponent(id)}/state`), retry: 5, retryDelay: 400 });
  if (view.isLoading) return <Spin />;
  if (view.error) return <Alert type="error" showIcon message={(view.error as ApiProblem).detail} />;
  const s = view.data!.state;
  if (s.status === 'none') return null;
  const reply = Object.values(view.data!.clocks).find((c) => c.policyId === 'complaint-reply');
  return (
    <div className="print-page">
      <Typography.Title level={2} style={{ textAlign: 'center', fontSize: 22 }}>{tr('劳动争议投诉受理回执', 'Receipt of a labour-dispute complaint')}</Typography.Title>
      <Descriptions bordered column={1} size="middle">
        <Descriptions.Item label={tr('案件号', 'Case number')}><strong data-testid="receipt-case-id">{s.caseId}</strong></Descriptions.Item>
        <Descriptions.Item label={tr('登记时间', 'Received')}>{chinaTime(s.receivedAt)}（{tr('北京时间', 'China time')}）</Descriptions.Item>
        <Descriptions.Item label={tr('来源渠道', 'Channel')}>{word(CHANNELS, s.channel, locale)}</Descriptions.Item>
        <Descriptions.Item label={tr('被投诉企业', 'Respondent')}>{s.respondent.name}</Descriptions.Item>
        <Descriptions.Item label={tr('争议类型', 'Dispute type')}>{word(DISPUTE_TYPES, s.claim.disputeTypeHint, locale)}</Descriptions.Item>
        <Descriptions.Item label={tr('答复期限', 'Reply by')}><strong data-testid="receipt-deadline">{chinaTime(reply?.dueAt)}</strong></Descriptions.Item>
      </Descriptions>
      <p style={{ marginTop: 16 }}>{tr('我们将在上述期限内答复您。请妥善保管本回执，凭案件号查询办理进度。', 'We will reply by the date above. Keep this receipt; quote the case number to ask about progress.')}</p>
      <Space className="no-print" style={{ marginTop: 16 }}>
        <Button type="primary" onClick={() => window.print()}>{tr('打印回执', 'Print')}</Button>
        <Link to={`/case/${s.caseId}`}>{tr('打开案件', 'Open the case')}</Link>
        <Link to="/intake">{tr('继续登记', 'Next intake')}</Link>
      </Space>
    </div>
  );
}
