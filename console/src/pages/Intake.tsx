// 案件登记: the case form. As the clerk types, the form is checked by the API (POST /cases/intake-check:
// the request schema, then the core's intake decision — ID number and credit code check digits, phone
// formats, registered towns and departments) and every problem is shown at its field. Nothing is written
// until 登记; then the receipt (受理回执) opens.
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { NewCaseBody } from '@engine/api/intake.js';
import type { PossibleDuplicate } from '@engine/api/routes/intake-check.js';
import type { CommandOf } from '@engine/domain/case/commands.js';
import { defaultRegistry } from '@engine/domain/registry/index.js';
import { Channel, DisputeType, Level } from '@engine/events/vocabulary.js';
import { api, ApiProblem, type FieldProblem } from '../api';
import { useLocale } from '../i18n';
import { CHANNELS, DISPUTE_TYPES, LEVELS, STATUSES, word } from '../labels';
import { chinaTime } from '../time';

interface FormValues {
  channel: string;
  complainants: { name?: string; idNumber?: string; phone?: string; isRepresentative?: boolean }[];
  workerCount?: number;
  respondent: { name?: string; creditCode?: string; town?: string; industry?: string; responsibleDepartment?: string; level?: string; contact?: { name?: string; phone?: string } };
  claim: { disputeTypeHint?: string; summary?: string; amountYuan?: number; infringedOn?: string };
  petitionRef?: string;
}

const blank = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

/** The form as the API's NewCase body (amounts in fen; empty optional fields left out). */
function toBody(v: FormValues): NewCaseBody {
  return {
    channel: v.channel,
    complainants: (v.complainants ?? []).map((c) => ({
      name: c.name ?? '',
      ...(blank(c.idNumber) ? { idNumber: blank(c.idNumber) } : {}),
      ...(blank(c.phone) ? { phone: blank(c.phone) } : {}),
      isRepresentative: c.isRepresentative ?? true,
    })),
    workerCount: v.workerCount,
    respondent: (({ contact, ...enterprise }) => ({
      ...enterprise,
      // The enterprise's contact person is optional; given, the API encrypts it under a key of its own.
      ...(blank(contact?.name) ? { contact: { name: blank(contact?.name), ...(blank(contact?.phone) ? { phone: blank(contact?.phone) } : {}) } } : {}),
    }))(v.respondent ?? {}),
    claim: {
      disputeTypeHint: v.claim?.disputeTypeHint,
      summary: v.claim?.summary,
      ...(v.claim?.amountYuan !== undefined && v.claim.amountYuan !== null ? { amountClaimedFen: Math.round(v.claim.amountYuan * 100) } : {}),
      ...(blank(v.claim?.infringedOn) ? { infringedOn: blank(v.claim?.infringedOn) } : {}),
    },
    ...(blank(v.petitionRef) ? { petitionRef: blank(v.petitionRef) } : {}),
  } as NewCaseBody;
}

/** The API names fields as paths of the body; the form's own names differ only for the amount. */
function namePath(field: string): (string | number)[] {
  const path = field.replace(/^claim\.amountClaimedFen$/, 'claim.amountYuan').split('.');
  return path.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function Intake() {
  const { tr, locale } = useLocale();
  const [form] = Form.useForm();
  const navigate = useNavigate();
  const [formProblems, setFormProblems] = useState<FieldProblem[]>([]);
  const [openCases, setOpenCases] = useState<PossibleDuplicate[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const checked = useRef<string[]>([]);

  const showProblems = (problems: FieldProblem[], all: boolean) => {
    // Clear what was shown before, then show each problem at its field (only touched fields while typing).
    form.setFields(checked.current.map((f) => ({ name: namePath(f), errors: [] })));
    const byField = new Map<string, string[]>();
    const general: FieldProblem[] = [];
    for (const p of problems) {
      const path = namePath(p.field);
      if (p.field.startsWith('(') || !(all || form.isFieldTouched(path))) {
        if (all) general.push(p);
        continue;
      }
      byField.set(p.field, [...(byField.get(p.field) ?? []), p.message]);
    }
    form.setFields([...byField].map(([f, errors]) => ({ name: namePath(f), errors })));
    checked.current = [...byField.keys()];
    setFormProblems(general);
  };

  const check = async (all = false) => {
    const result = await api<{ ok: boolean; problems: FieldProblem[]; openCases: PossibleDuplicate[] }>('/cases/intake-check', { method: 'POST', body: toBody(form.getFieldsValue(true) as FormValues) });
    showProblems(result.problems, all);
    setOpenCases(result.openCases);
    return result;
  };

  useEffect(() => () => clearTimeout(timer.current), []);

  // 登记, or 登记 and then link the new case to an open one (LinkCase) or merge it into that one (MergeCase):
  // the core decides both, as on the case page; a refusal shows its reason here.
  const submit = useMutation({
    mutationFn: async (then: { link?: string; merge?: string } = {}) => {
      const result = await check(true);
      if (!result.ok) throw new ApiProblem(400, 'validation', tr(`表单有 ${result.problems.length} 处问题，请按提示修改`, `${result.problems.length} problem(s) in the form`));
      const { caseId } = await api<{ caseId: string }>('/cases', { method: 'POST', body: toBody(form.getFieldsValue(true) as FormValues) });
      if (then.link) {
        const data: CommandOf<'LinkCase'>['data'] = { linkedCaseId: then.link, relation: 'same-enterprise' };
        await api(`/cases/${caseId}/commands/LinkCase`, { method: 'POST', body: data });
      }
      if (then.merge) {
        const data: CommandOf<'MergeCase'>['data'] = { intoCaseId: then.merge, reason: tr('登记时发现同一企业、同一投诉人的在办案件，并入该案办理', 'Same enterprise and complainant as an open case: merged into it at intake') };
        await api(`/cases/${caseId}/commands/MergeCase`, { method: 'POST', body: data });
        return { caseId, open: then.merge };
      }
      return { caseId, open: undefined };
    },
    onSuccess: ({ caseId, open }) => navigate(open ? `/case/${open}` : `/receipt/${caseId}`),
    onError: (e) => e instanceof ApiProblem && e.errors.length > 0 && showProblems(e.errors, true),
  });
  const sameComplainant = openCases.filter((c) => c.sameComplainant);
  const sameEnterpriseOnly = openCases.filter((c) => !c.sameComplainant);
  const caseLine = (c: PossibleDuplicate) => (
    <div key={c.caseId} data-testid="duplicate-case" data-case={c.caseId}>
      <Link to={`/case/${c.caseId}`} style={{ textDecoration: 'underline' }}>{c.caseId}</Link> · {word(STATUSES, c.status, locale)} · {chinaTime(c.receivedAt)}{' '}
      <Space size="small" style={{ marginLeft: 8 }}>
        <Button size="small" data-testid="link-duplicate" loading={submit.isPending} onClick={() => form.validateFields().then(() => submit.mutate({ link: c.caseId })).catch(() => undefined)}>
          {tr('登记并关联此案', 'Receive and link')}
        </Button>
        {c.sameComplainant && (
          <Button size="small" danger data-testid="merge-duplicate" loading={submit.isPending} onClick={() => form.validateFields().then(() => submit.mutate({ merge: c.caseId })).catch(() => undefined)}>
            {tr('登记并并入此案', 'Receive and merge into it')}
          </Button>
        )}
      </Space>
    </div>
  );

  const towns = defaultRegistry.towns.map((t) => ({ value: t.code, label: locale === 'en' ? `${t.code} (${t.name.en})` : t.name.zh }));
  const departments = defaultRegistry.responsibleDepartments.map((t) => ({ value: t.code, label: locale === 'en' ? `${t.code} (${t.name.en})` : t.name.zh }));
  const options = (values: readonly string[], words: Parameters<typeof word>[0]) => values.map((v) => ({ value: v, label: word(words, v, locale) }));

  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>{tr('案件登记', 'Intake')}</Typography.Title>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ channel: 'walk-in', complainants: [{ isRepresentative: true }], workerCount: 1, respondent: { level: 'enterprise' }, claim: {} }}
        onValuesChange={() => {
          clearTimeout(timer.current);
          timer.current = setTimeout(() => void check(false).catch(() => undefined), 350);
        }}
        onFinish={() => submit.mutate({})}
      >
        {/* The duplicate warnings above the cards: seen as the clerk types, without scrolling at 1366×768. */}
        {sameComplainant.length > 0 && (
          <Alert
            type="error"
            showIcon
            role="alert"
            style={{ marginBottom: 12 }}
            data-testid="same-complainant"
            message={tr('同一投诉人对该企业已有在办案件：可能是重复投诉，请关联或并入该案，不要重复立案', 'The same complainant already has an open case against this enterprise: link or merge it rather than file twice')}
            description={sameComplainant.map(caseLine)}
          />
        )}
        {sameEnterpriseOnly.length > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            data-testid="same-enterprise"
            message={tr('该企业已有其他投诉人的在办案件：如是同一诉求，可登记后关联', 'This enterprise has open cases of other complainants: if it is the same claim, link them')}
            description={sameEnterpriseOnly.map(caseLine)}
          />
        )}
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card size="small" title={tr('投诉人', 'Complainants')} style={{ marginBottom: 12 }}>
              <Form.List name="complainants">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f, i) => (
                      <Row gutter={8} key={f.key} align="bottom">
                        <Col span={6}><Form.Item label={tr(`姓名 ${i + 1}`, `Name ${i + 1}`)} name={[f.name, 'name']} rules={[{ required: true, message: tr('请输入姓名', 'Enter the name') }]}><Input /></Form.Item></Col>
                        <Col span={8}><Form.Item label={tr('身份证号', 'ID number')} name={[f.name, 'idNumber']}><Input maxLength={18} /></Form.Item></Col>
                        <Col span={6}><Form.Item label={tr('电话', 'Phone')} name={[f.name, 'phone']}><Input /></Form.Item></Col>
                        <Col span={4}>{fields.length > 1 && <Form.Item><Button onClick={() => remove(f.name)}>{tr('删除', 'Remove')}</Button></Form.Item>}</Col>
                      </Row>
                    ))}
                    <Button onClick={() => add({ isRepresentative: true })}>{tr('添加投诉人', 'Add a complainant')}</Button>
                  </>
                )}
              </Form.List>
            </Card>
            <Card size="small" title={tr('来源与人数', 'Channel and workers')} style={{ marginBottom: 12 }}>
              <Row gutter={8}>
                <Col span={8}><Form.Item label={tr('来源渠道', 'Channel')} name="channel"><Select showSearch optionFilterProp="label" options={options(Channel.options, CHANNELS)} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('涉及人数', 'Workers')} name="workerCount"><InputNumber min={1} style={{ width: '100%' }} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('信访件编号', 'Petition number')} name="petitionRef"><Input /></Form.Item></Col>
              </Row>
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={tr('被投诉企业', 'Respondent')} style={{ marginBottom: 12 }}>
              <Row gutter={8}>
                <Col span={14}><Form.Item label={tr('企业名称', 'Enterprise')} name={['respondent', 'name']}><Input /></Form.Item></Col>
                <Col span={10}><Form.Item label={tr('统一社会信用代码', 'Credit code')} name={['respondent', 'creditCode']}><Input maxLength={18} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('所在镇街', 'Town')} name={['respondent', 'town']}><Select showSearch optionFilterProp="label" options={towns} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('行业', 'Industry')} name={['respondent', 'industry']}><Input /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('分管部门', 'Responsible department')} name={['respondent', 'responsibleDepartment']}><Select showSearch optionFilterProp="label" options={departments} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('网格层级', 'Level')} name={['respondent', 'level']}><Select showSearch optionFilterProp="label" options={options(Level.options, LEVELS)} /></Form.Item></Col>
                <Col span={12}><Form.Item label={tr('企业联系人', 'Contact person')} name={['respondent', 'contact', 'name'] satisfies ['respondent', 'contact', keyof NonNullable<NewCaseBody['respondent']['contact']>]}><Input /></Form.Item></Col>
                <Col span={12}><Form.Item label={tr('联系人电话', 'Contact phone')} name={['respondent', 'contact', 'phone'] satisfies ['respondent', 'contact', keyof NonNullable<NewCaseBody['respondent']['contact']>]}><Input /></Form.Item></Col>
              </Row>
            </Card>
            <Card size="small" title={tr('诉求', 'Claim')} style={{ marginBottom: 12 }}>
              <Row gutter={8}>
                <Col span={8}><Form.Item label={tr('争议类型', 'Dispute type')} name={['claim', 'disputeTypeHint']}><Select showSearch optionFilterProp="label" options={options(DisputeType.options, DISPUTE_TYPES)} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('诉求金额（元）', 'Amount claimed (yuan)')} name={['claim', 'amountYuan']}><InputNumber min={0} precision={2} style={{ width: '100%' }} /></Form.Item></Col>
                <Col span={8}><Form.Item label={tr('权利受侵害日期', 'Infringed on')} name={['claim', 'infringedOn']}><Input type="date" /></Form.Item></Col>
                <Col span={24}><Form.Item label={tr('诉求摘要', 'Summary')} name={['claim', 'summary']}><Input.TextArea rows={3} /></Form.Item></Col>
              </Row>
            </Card>
          </Col>
        </Row>
        {formProblems.length > 0 && <Alert role="alert" type="error" showIcon style={{ marginBottom: 12 }} message={formProblems.map((p) => p.message).join('；')} />}
        {submit.error && <Alert role="alert" type="error" showIcon style={{ marginBottom: 12 }} message={(submit.error as ApiProblem).detail ?? String(submit.error)} />}
        <Space>
          <Button type="primary" htmlType="submit" loading={submit.isPending}>{tr('登记', 'Receive the case')}</Button>
          <Button onClick={() => form.resetFields()}>{tr('清空', 'Clear')}</Button>
        </Space>
      </Form>
    </>
  );
}
