// A form for one command, made from its zod schema (domain/case/commands.ts): the same schema the API
// and the workflow parse with. Targets the server named (a referral, session, notice, clock) are filled
// in and not asked again. The form checks its fields with the schema (zod's own messages, in the screen's
// language) and then sends the command; the core's refusal comes back in words and is shown as it is.
import { Alert, Button, Checkbox, Form, Input, InputNumber, Select, Space } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import { CaseCommandSchema } from '@engine/domain/case/commands.js';
import { textSchemaOf } from '@engine/events/personal-data.js';
import { api, ApiProblem } from '../api';
import { useLocale } from '../i18n';
import { FIELDS, VALUES, word } from '../labels';
import { fromChinaLocal } from '../time';

type Schema = z.ZodType;
interface Def {
  type: string;
  format?: string;
  innerType?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  entries?: Record<string, string>;
}
const defOf = (s: Schema) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Optional and default wrappers peeled off: the field's own schema, and whether it must be given. */
function unwrap(s: Schema): { schema: Schema; required: boolean } {
  let schema = s;
  let required = true;
  for (;;) {
    const def = defOf(schema);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      required = false;
      schema = def.innerType!;
    } else if (textSchemaOf(schema) !== schema) {
      // Free text that names people: the clerk types plain text, the API encrypts it.
      schema = textSchemaOf(schema);
    } else return { schema, required };
  }
}

export function commandSchema(type: string): z.ZodObject | undefined {
  const option = CaseCommandSchema.options.find((o) => o.shape.type.value === type);
  return option?.shape.data as unknown as z.ZodObject | undefined;
}

/** Form values (datetime-local strings, empty inputs) as the command's data. */
function toData(schema: Schema, value: unknown): unknown {
  const { schema: inner } = unwrap(schema);
  const def = defOf(inner);
  if (value === undefined || value === null || value === '') return undefined;
  if (def.type === 'string' && def.format === 'datetime' && typeof value === 'string') return fromChinaLocal(value);
  if (def.type === 'object' && def.shape && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(def.shape)) {
      const v = toData(s, (value as Record<string, unknown>)[k]);
      const field = unwrap(s);
      // A list nobody added to is an empty list (e.g. no department opinions), not a missing field.
      if (v !== undefined) out[k] = v;
      else if (field.required && defOf(field.schema).type === 'array') out[k] = [];
    }
    return out;
  }
  if (def.type === 'array' && Array.isArray(value)) return value.map((v) => toData(def.element!, v) ?? (defOf(unwrap(def.element!).schema).type === 'object' ? {} : v));
  return value;
}

function Field({ name, schema, path }: { name: string; schema: Schema; path: (string | number)[] }) {
  const { tr, locale } = useLocale();
  const { schema: inner, required } = unwrap(schema);
  const def = defOf(inner);
  const label = word(FIELDS, name, locale);
  const rules = required && def.type !== 'boolean' && def.type !== 'array' ? [{ required: true, message: tr(`请填写${label}`, `${label} is required`) }] : [];
  const enumOptions = (s: Schema) => Object.values(defOf(s).entries ?? {}).map((v) => ({ value: v, label: word(VALUES, v, locale) }));
  if (def.type === 'object' && def.shape) {
    return <>{Object.entries(def.shape).map(([k, s]) => <Field key={k} name={k} schema={s} path={[...path, k]} />)}</>;
  }
  if (def.type === 'array') {
    const element = unwrap(def.element!).schema;
    const edef = defOf(element);
    // Checked by the command's schema on submit: antd's own rule would put aria-required on the select's
    // container, which has no role that allows it (axe: aria-allowed-attr).
    if (edef.type === 'enum') return <Form.Item label={label} name={path}><Select mode="multiple" optionFilterProp="label" options={enumOptions(element)} /></Form.Item>;
    return (
      <Form.Item label={label}>
        <Form.List name={path}>
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap style={{ display: 'flex', borderLeft: '3px solid #e6e6e6', paddingLeft: 8, marginBottom: 4 }}>
                  {edef.shape && Object.entries(edef.shape).map(([k, s]) => <Field key={k} name={k} schema={s} path={[f.name, k]} />)}
                  <Button size="small" onClick={() => remove(f.name)}>{tr('删除', 'Remove')}</Button>
                </Space>
              ))}
              <Button size="small" onClick={() => add({})}>{tr(`添加${label}`, `Add ${label}`)}</Button>
            </>
          )}
        </Form.List>
      </Form.Item>
    );
  }
  let input;
  switch (def.type) {
    case 'enum':
      input = <Select showSearch optionFilterProp="label" options={enumOptions(inner)} allowClear={!required} />;
      break;
    case 'boolean':
      return <Form.Item name={path} valuePropName="checked" initialValue={false}><Checkbox>{label}</Checkbox></Form.Item>;
    case 'number':
      input = <InputNumber style={{ width: '100%' }} />;
      break;
    case 'string':
      input = def.format === 'datetime' ? <Input type="datetime-local" step={1} /> : def.format === 'date' ? <Input type="date" /> : ['minutes', 'terms', 'opinion', 'response', 'explanation', 'summary', 'reason', 'note', 'task'].includes(name) ? <Input.TextArea rows={2} /> : <Input />;
      break;
    default:
      input = <Input />;
  }
  return <Form.Item label={label} name={path} rules={rules}>{input}</Form.Item>;
}

export function CommandForm({ caseId, type, target, onDone }: { caseId: string; type: string; target?: Record<string, string>; onDone: () => void }) {
  const { tr } = useLocale();
  const [form] = Form.useForm();
  const [refusal, setRefusal] = useState<string>();
  const [sending, setSending] = useState(false);
  const schema = commandSchema(type);
  if (!schema) return null;
  const fixed = new Set(Object.keys(target ?? {}).filter((k) => k in schema.shape));
  const send = async (values: Record<string, unknown>) => {
    setRefusal(undefined);
    const data = { ...(toData(schema, values) as Record<string, unknown>), ...Object.fromEntries([...fixed].map((k) => [k, target![k]])) };
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      form.setFields(parsed.error.issues.map((i) => ({ name: i.path as (string | number)[], errors: [i.message] })));
      setRefusal(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；'));
      return;
    }
    setSending(true);
    try {
      await api(`/cases/${encodeURIComponent(caseId)}/commands/${type}`, { method: 'POST', body: parsed.data });
      onDone();
    } catch (e) {
      setRefusal(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setSending(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={(v) => void send(v as Record<string, unknown>)} aria-label={type}>
      {Object.entries(schema.shape as Record<string, Schema>)
        .filter(([k]) => !fixed.has(k))
        .map(([k, s]) => <Field key={k} name={k} schema={s} path={[k]} />)}
      {refusal && <Alert role="alert" data-testid="refusal" type="error" showIcon message={tr('未执行', 'Not done')} description={refusal} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={sending}>{tr('提交', 'Submit')}</Button>
    </Form>
  );
}
