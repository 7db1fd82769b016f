// 红黄绿灯: a deadline's state as the centre's convention colours it, with words beside the colour.
import { Tag } from 'antd';
import { useLocale } from '../i18n';

export type LightColour = 'green' | 'yellow' | 'red';

export function Light({ light }: { light: LightColour }) {
  const { tr } = useLocale();
  const text = { red: tr('红灯 超期', 'Red: overdue'), yellow: tr('黄灯 预警', 'Yellow: warning'), green: tr('绿灯 正常', 'Green: on time') }[light];
  // Text dark enough on its pale background for AA contrast.
  const style = { red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' }, yellow: { color: '#7a4500', background: '#fffbe6', borderColor: '#ffe58f' }, green: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' } }[light];
  return <Tag style={style} data-light={light}>{text}</Tag>;
}

export function lightOf(dueAt: string | null | undefined, warnAt: string | null | undefined, now = Date.now()): LightColour {
  if (dueAt && Date.parse(dueAt) <= now) return 'red';
  if (warnAt && Date.parse(warnAt) <= now) return 'yellow';
  return 'green';
}
