// 红黄绿灯: paints the light the API answers with each row (computed once, in domain/sla/light.ts), with
// words beside the colour.
import { Tag } from 'antd';
import type { Light as LightColour } from '@engine/domain/sla/light.js';
import { useLocale } from '../i18n';

export type { LightColour };

export function Light({ light }: { light: LightColour }) {
  const { tr } = useLocale();
  const text = { red: tr('红灯 超期', 'Red: overdue'), yellow: tr('黄灯 预警', 'Yellow: warning'), green: tr('绿灯 正常', 'Green: on time') }[light];
  // Text dark enough on its pale background for AA contrast.
  const style = { red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' }, yellow: { color: '#7a4500', background: '#fffbe6', borderColor: '#ffe58f' }, green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' } }[light];
  return <Tag style={style} data-light={light}>{text}</Tag>;
}
