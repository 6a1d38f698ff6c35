// The dashboard's entry: reads the page token, connects the live feed, draws the frame (sidebar, status) and
// routes #/… hashes to views. Works the same in the Electron window and in a browser at /ui.
import { ControlClient } from './api/control-client.js';
import { openEventStream, type StreamStatus } from './api/event-stream.js';
import { shell } from './api/shell.js';
import { h, replaceChildren } from './components/dom.js';
import { virtualClock } from './components/virtual-clock.js';
import { FeedStore } from './state/feed-store.js';
import { feedView } from './views/feed-view.js';
import { iamView } from './views/iam-view.js';
import { notFoundView } from './views/not-found-view.js';
import { imageView } from './views/image-view.js';
import { repositoriesView } from './views/repositories-view.js';
import { repositoryView } from './views/repository-view.js';
import { settingsView } from './views/settings-view.js';
import { parseRoute, type Route, type Scope, type View, type ViewContext } from './views/view.js';

const NAV: Array<{ href: string; label: string; matches: Route['view'][] }> = [
  { href: '#/feed', label: 'Live feed', matches: ['feed'] },
  { href: '#/repositories', label: 'Repositories', matches: ['repositories', 'repository', 'image'] },
  { href: '#/iam', label: 'IAM', matches: ['iam'] },
  { href: '#/settings', label: 'Settings', matches: ['settings'] },
];

async function boot(): Promise<void> {
  const token = document.querySelector<HTMLMetaElement>('meta[name="emulator-token"]')?.content ?? '';
  const client = new ControlClient(token);
  const root = document.getElementById('app')!;
  const info = await client.info().catch(() => undefined);
  if (!info) {
    replaceChildren(root, h('p', { class: 'error-box' }, 'The emulator is not answering. Is it running?'));
    return;
  }
  const feed = new FeedStore();
  const saved = localStorage.getItem('ar-emulator.scope');
  let scope: Scope = saved ? (JSON.parse(saved) as Scope) : { project: info.defaultProject, location: info.defaultLocation };
  const ctx: ViewContext = {
    client,
    feed,
    info,
    get scope() {
      return scope;
    },
    setScope(next) {
      scope = next;
      localStorage.setItem('ar-emulator.scope', JSON.stringify(next));
    },
  };

  const status = h('div', { class: 'status', 'data-testid': 'stream-status' });
  const setStatus = (s: StreamStatus) => {
    status.dataset.state = s;
    status.textContent = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Offline';
  };
  const nav = h('nav', { class: 'nav' });
  const main = h('main', { class: 'content' });
  const banner = h('div', { class: 'banner', hidden: true, role: 'status' });
  replaceChildren(
    root,
    h(
      'aside',
      { class: 'sidebar' },
      h('div', { class: 'brand' }, h('img', { src: 'favicon.svg', alt: '', width: 22, height: 22 }), h('div', {}, h('strong', {}, 'Artifact Registry'), h('span', {}, 'emulator'))),
      nav,
      h('div', { class: 'sidebar-foot' }, status, h('code', {}, `localhost:${info.port}`)),
    ),
    h('div', { class: 'main-col' }, virtualClock(client, feed), banner, main),
  );

  let current: View | undefined;
  const route = () => {
    const r = parseRoute(location.hash);
    replaceChildren(nav, ...NAV.map((n) => h('a', { href: n.href, class: n.matches.includes(r.view) ? 'active' : undefined, 'aria-current': n.matches.includes(r.view) ? 'page' : undefined }, n.label)));
    current?.dispose?.();
    current = viewFor(ctx, r);
    replaceChildren(main, current.el);
    document.title = `${NAV.find((n) => n.matches.includes(r.view))?.label ?? 'Dashboard'} · AR emulator`;
  };
  window.addEventListener('hashchange', route);
  route();
  openEventStream({ onEvent: (e) => feed.add(e), onStatus: setStatus });

  const api = shell();
  if (api) {
    api.on('emu:shell.navigate', ({ route: to }) => (location.hash = to));
    api.on('emu:server.statusChanged', (s) => {
      banner.hidden = s.state === 'running';
      banner.textContent = s.state === 'paused' ? 'The emulator is paused: requests are refused until you resume it.' : s.state === 'error' ? `Emulator error: ${s.message ?? ''}` : '';
    });
    void api.invoke('emu:renderer.ready');
  }
}

function viewFor(ctx: ViewContext, r: Route): View {
  switch (r.view) {
    case 'repositories':
      return repositoriesView(ctx);
    case 'repository':
      return repositoryView(ctx, r.repository);
    case 'image':
      return imageView(ctx, r.repository, r.pkg, r.digest);
    case 'iam':
      return iamView(ctx, r.repository);
    case 'settings':
      return settingsView(ctx);
    case 'not-found':
      return notFoundView(r.hash);
    default:
      return feedView(ctx);
  }
}

void boot();
