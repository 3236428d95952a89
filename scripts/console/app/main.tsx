// The emulator console (docs/console.md): a hash-routed single page over the emulator's and sandbox's JSON APIs.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useConnected } from './live';
import { Act } from './panels/act';
import { Database } from './panels/database';
import { Invocations } from './panels/invocations';
import { Orders } from './panels/orders';
import { Overview } from './panels/overview';
import { Phone } from './panels/phone';
import { Timeline } from './panels/timeline';

const NAV = [
  ['overview', '总览 Overview'],
  ['orders', '订单 Orders'],
  ['act', '模拟 Act'],
  ['phone', '商家手机 Phone'],
  ['db', '数据库 Database'],
  ['invocations', '调用 Invocations'],
] as const;

function useRoute(): string[] {
  const parse = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Page({ route }: { route: string[] }) {
  const [page = 'overview', arg] = route;
  switch (page) {
    case 'orders':
      return arg ? <Timeline id={arg} /> : <Orders />;
    case 'act':
      return <Act />;
    case 'phone':
      return <Phone />;
    case 'db':
      return <Database collection={arg} />;
    case 'invocations':
      return <Invocations fn={arg} />;
    default:
      return <Overview />;
  }
}

function App() {
  const route = useRoute();
  const live = useConnected();
  const current = route[0] ?? 'overview';
  return (
    <>
      <header>
        <span class="brand">收银 Shouyin</span>
        <nav>
          {NAV.map(([k, label]) => (
            <a key={k} href={`#/${k}`} class={current === k ? 'active' : ''} data-nav={k}>
              {label}
            </a>
          ))}
        </nav>
        <span class={live ? 'live on' : 'live'} data-testid="live" title="GET /events">
          {live ? '● 实时 live' : '○ 离线 offline'}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
