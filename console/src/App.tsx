// The console's frame: sign-on, the menu of what this user may do (from GET /me), the language switch,
// and the pages. Paths match api/console-static.ts.
import { Alert, Button, ConfigProvider, Input, Layout, Menu, Result, Segmented, Space, Spin, Typography } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { completeSignIn, currentUser, signIn, signOut } from './auth';
import { useLocale } from './i18n';
import { word, DEPARTMENTS, ROLES } from './labels';
import { may, useMe, type Me } from './me';

// Each page is its own chunk, loaded when first opened: the sign-in page and the frame come first (ECharts,
// for one, only with the supervisor's dashboard).
const MyWork = lazy(() => import('./pages/MyWork').then((m) => ({ default: m.MyWork })));
const Intake = lazy(() => import('./pages/Intake').then((m) => ({ default: m.Intake })));
const Receipt = lazy(() => import('./pages/Receipt').then((m) => ({ default: m.Receipt })));
const CasePage = lazy(() => import('./pages/CasePage').then((m) => ({ default: m.CasePage })));
const Queue = lazy(() => import('./pages/Queue').then((m) => ({ default: m.Queue })));
const Board = lazy(() => import('./pages/Board').then((m) => ({ default: m.Board })));
const Warnings = lazy(() => import('./pages/Warnings').then((m) => ({ default: m.Warnings })));
const Audit = lazy(() => import('./pages/Audit').then((m) => ({ default: m.Audit })));
const AuditStart = lazy(() => import('./pages/Audit').then((m) => ({ default: m.AuditStart })));
const DossierPrint = lazy(() => import('./pages/DossierPrint').then((m) => ({ default: m.DossierPrint })));
const Dashboard = lazy(() => import('./pages/Dashboard'));

// Colours dark enough for WCAG AA contrast on white (axe-core checks every screen in the browser tests).
const THEME = {
  colorPrimary: '#1f5fbf',
  colorLink: '#1a4fa0',
  colorPrimaryHover: '#1a4fa0',
  colorPrimaryActive: '#153f80',
  colorLinkHover: '#153f80',
  colorInfo: '#1f5fbf',
  colorError: '#b3261e',
  colorSuccess: '#2e7d32',
  colorSuccessBg: '#f6ffed',
  colorSuccessBorder: '#b7eb8f',
  colorErrorBg: '#fff1f0',
  colorErrorBorder: '#ffa39e',
  colorWarningBg: '#fffbe6',
  colorWarningBorder: '#ffe58f',
  colorWarning: '#8a5a00',
  colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
  colorTextDescription: 'rgba(0, 0, 0, 0.68)',
  colorTextTertiary: 'rgba(0, 0, 0, 0.64)',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  fontSize: 14,
};

export function App() {
  const { locale } = useLocale();
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} button={{ autoInsertSpace: false }} theme={{ token: THEME }}>
      <Routes>
        <Route path="/callback" element={<Callback />} />
        <Route path="*" element={<SignedIn />} />
      </Routes>
    </ConfigProvider>
  );
}

function Callback() {
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  useEffect(() => {
    completeSignIn().then((to) => navigate(to, { replace: true }), (e: Error) => setError(e.message));
  }, [navigate]);
  return error ? <Result status="error" title="登录失败 / Sign-in failed" subTitle={error} extra={<Button onClick={() => void signIn()}>重新登录 / Sign in again</Button>} /> : <Spin fullscreen tip="正在登录…" />;
}

function SignedIn() {
  const [state, setState] = useState<'checking' | 'in' | 'out'>('checking');
  const location = useLocation();
  useEffect(() => {
    void currentUser().then((u) => setState(u ? 'in' : 'out'));
  }, []);
  if (state === 'checking') return <Spin fullscreen />;
  if (state === 'out') return <SignInPage returnTo={location.pathname === '/' ? '/work' : location.pathname + location.search} />;
  return <Shell />;
}

function SignInPage({ returnTo }: { returnTo: string }) {
  const { tr } = useLocale();
  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Result
        icon={<span aria-hidden style={{ fontSize: 56 }}>⚖️</span>}
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{tr('劳动争议联动调处平台', 'Labour-dispute joint mediation')}</h1>}
        subTitle={tr('请使用单位统一身份认证登录', "Sign in with your centre's account")}
        extra={<Button type="primary" size="large" onClick={() => void signIn(returnTo)}>{tr('登录', 'Sign in')}</Button>}
      />
    </main>
  );
}

function Shell() {
  const { tr, locale, setLocale } = useLocale();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  if (me.isLoading) return <Spin fullscreen />;
  if (me.error || !me.data) return <Result status="error" title={tr('无法读取用户信息', 'Could not load your account')} subTitle={String(me.error)} />;
  const u = me.data;
  const items = menuFor(u, tr);
  const selected = items.find((i) => location.pathname.startsWith(i.key))?.key;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={188} breakpoint="lg" collapsedWidth={0} theme="dark">
        <div style={{ color: '#fff', padding: '16px 16px 8px', fontWeight: 600, fontSize: 15 }}>{tr('联动调处平台', 'Mediation console')}</div>
        <nav aria-label={tr('主菜单', 'Main menu')}>
          <Menu theme="dark" mode="inline" selectedKeys={selected ? [selected] : []} items={items.map((i) => ({ key: i.key, label: <Link to={i.key}>{i.label}</Link> }))} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 16px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 12 }} className="no-print">
          <Input.Search
            aria-label={tr('按案件号查找', 'Find a case by number')}
            placeholder={tr('输入案件号打开案件', 'Case number')}
            style={{ maxWidth: 300 }}
            onSearch={(v) => v.trim() && navigate(`/case/${encodeURIComponent(v.trim())}`)}
          />
          <Space size="middle">
            <Typography.Text data-testid="who">
              {u.id} · {word(ROLES, u.role, locale)}
              {u.department ? ` · ${word(DEPARTMENTS, u.department, locale)}` : ''}
              {u.town ? ` · ${u.town}` : ''}
            </Typography.Text>
            <Segmented aria-label={tr('界面语言', 'Language')} size="small" value={locale} onChange={(v) => setLocale(v as 'zh-CN' | 'en')} options={[{ label: '中文', value: 'zh-CN' }, { label: 'English', value: 'en' }]} />
            <Button size="small" onClick={() => void signOut()}>{tr('退出', 'Sign out')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 16 }}>
          <main>
            <Suspense fallback={<Spin />}>
              <Routes>
                <Route path="/" element={<Navigate to={items[0]?.key ?? '/work'} replace />} />
                <Route path="/work" element={<Guard ok={may(u, 'work.read')}><MyWork /></Guard>} />
                <Route path="/intake" element={<Guard ok={may(u, 'cases.create')}><Intake /></Guard>} />
                <Route path="/receipt/:id" element={<Receipt />} />
                <Route path="/case/:id" element={<CasePage me={u} />} />
                <Route path="/queue" element={<Guard ok={!!u.department && may(u, 'queues.read')}><Queue department={u.department!} /></Guard>} />
                <Route path="/board" element={<Guard ok={may(u, 'deadlines.read') || may(u, 'supervision.read')}><Board me={u} /></Guard>} />
                <Route path="/dashboard" element={<Guard ok={may(u, 'kpis.read')}><Dashboard /></Guard>} />
                <Route path="/warnings" element={<Guard ok={may(u, 'kpis.read')}><Warnings /></Guard>} />
                <Route path="/audit" element={<Guard ok={may(u, 'cases.audit')}><AuditStart /></Guard>} />
                <Route path="/audit/:id" element={<Guard ok={may(u, 'cases.audit')}><Audit /></Guard>} />
                <Route path="/dossier/:id" element={<Guard ok={may(u, 'cases.audit')}><DossierPrint /></Guard>} />
                <Route path="*" element={<Result status="404" title="404" />} />
              </Routes>
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Guard({ ok, children }: { ok: boolean; children: ReactNode }) {
  const { tr } = useLocale();
  return ok ? <>{children}</> : <Alert type="warning" showIcon message={tr('您的角色无权使用此功能', 'Your role may not use this page')} />;
}

function menuFor(u: Me, tr: (zh: string, en: string) => string): { key: string; label: string }[] {
  return [
    may(u, 'work.read') && { key: '/work', label: tr('我的待办', 'My work') },
    may(u, 'cases.create') && { key: '/intake', label: tr('案件登记', 'Intake') },
    u.department && may(u, 'queues.read') && { key: '/queue', label: tr('协办队列', 'Referral queue') },
    (may(u, 'deadlines.read') || may(u, 'supervision.read')) && u.role !== 'department-liaison' && { key: '/board', label: tr('督办看板', 'Supervision') },
    may(u, 'kpis.read') && { key: '/dashboard', label: tr('驾驶舱', 'Dashboard') },
    may(u, 'kpis.read') && { key: '/warnings', label: tr('风险预警', 'Early warning') },
    may(u, 'cases.audit') && { key: '/audit', label: tr('案件审计', 'Audit') },
  ].filter((x): x is { key: string; label: string } => Boolean(x));
}
