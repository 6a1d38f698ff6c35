// The dashboard's "Remote repositories" panel (issue 12): the upstream faults in force (each clearable), the
// offline switches (switchable back on), and per remote repository its cache hit ratio as bars, tallied from
// the feed's cache.hit / cache.miss / upstream.failed events. Read from GET /_emulator/faults and /offline, and
// read again when the feed brings a faults.changed (added, cleared, expired with the virtual clock).
import type { OfflineState, UpstreamFault } from '../api/types.js';
import { hitRatioBars } from '../components/charts.js';
import { emptyState, errorState, h, panel, replaceChildren } from '../components/dom.js';
import { virtualTime } from '../state/clock-format.js';
import { cacheTallies } from '../state/cache-stats.js';
import { describeFaultMode, shortRepository } from '../state/event-format.js';
import type { View, ViewContext } from './view.js';

export function remotePanel(ctx: ViewContext): View {
  const faultsBox = h('div', { 'data-testid': 'remote-faults' }, emptyState('Loading…'));
  const offlineBox = h('div', { 'data-testid': 'remote-offline' });
  const ratioBox = h('div', { class: 'chart-box', 'data-testid': 'cache-hit-ratio' });
  const clearAll = h('button', { type: 'button', class: 'ghost small', 'data-testid': 'faults-clear-all', title: 'Clear every upstream fault' }, 'Clear all faults');
  let reads = 0;

  const act = (p: Promise<unknown>) => void p.then(load, (err: unknown) => replaceChildren(faultsBox, errorState(err)));
  clearAll.addEventListener('click', () => act(ctx.client.clearFaults()));

  const renderFaults = (faults: UpstreamFault[]) => {
    clearAll.hidden = faults.length === 0;
    if (!faults.length) return emptyState('No upstream faults. Add one with `ar-emulator faults add` or POST /_emulator/faults.');
    return h(
      'ul',
      { class: 'list' },
      ...faults.map((f) => {
        const clear = h('button', { type: 'button', class: 'ghost small', title: `Clear the fault of ${f.repository}` }, 'Clear');
        clear.addEventListener('click', () => act(ctx.client.clearFaults(f.repository)));
        return h(
          'li',
          { 'data-testid': 'remote-fault', 'data-repository': f.repository },
          h('strong', {}, shortRepository(f.repository)),
          ' ',
          h('span', { class: 'pill' }, describeFaultMode(f as unknown as Record<string, unknown>)),
          ' ',
          h('span', { class: 'muted', title: f.until ?? '' }, f.until ? `until ${virtualTime(Date.parse(f.until))}` : 'until cleared'),
          ' ',
          clear,
        );
      }),
    );
  };

  const renderOffline = (s: OfflineState) => {
    const rows: HTMLElement[] = [];
    if (s.global) {
      const on = h('button', { type: 'button', class: 'ghost small', 'data-testid': 'offline-global-off' }, 'Go online');
      on.addEventListener('click', () => act(ctx.client.setOffline(false)));
      rows.push(h('p', { 'data-testid': 'offline-global' }, h('span', { class: 'pill warn' }, 'offline'), ' All remote repositories answer from their caches only. ', on));
    }
    for (const r of s.repositories) {
      const on = h('button', { type: 'button', class: 'ghost small' }, 'Go online');
      on.addEventListener('click', () => act(ctx.client.setOffline(false, r)));
      rows.push(h('p', { 'data-testid': 'offline-repository', 'data-repository': r }, h('span', { class: 'pill warn' }, 'offline'), ` ${shortRepository(r)} answers from its cache only. `, on));
    }
    return rows.length ? rows : [h('p', { class: 'muted' }, 'Online: remote repositories reach their upstreams.')];
  };

  const renderRatios = () => {
    const tallies = cacheTallies(ctx.feed.all());
    replaceChildren(ratioBox, tallies.length ? hitRatioBars(tallies.map((t) => ({ label: shortRepository(t.repository), hits: t.hits, misses: t.misses, failures: t.failures }))) : emptyState('No remote repository has served anything yet.'));
  };

  function load() {
    const n = ++reads;
    Promise.all([ctx.client.faults(), ctx.client.offline()])
      .then(([faults, offline]) => {
        if (n !== reads) return;
        replaceChildren(faultsBox, renderFaults(faults));
        replaceChildren(offlineBox, ...renderOffline(offline));
      })
      .catch((err: unknown) => n === reads && replaceChildren(faultsBox, errorState(err)));
  }

  const unsubscribe = ctx.feed.subscribe((added) => {
    if (added?.type === 'faults.changed') load();
    if (added && /^(cache\.|upstream\.)/.test(added.type)) renderRatios();
  });
  load();
  renderRatios();
  const el = panel('Remote repositories', [h('h3', {}, 'Faults'), faultsBox, h('h3', {}, 'Offline'), offlineBox, h('h3', {}, 'Cache hit ratio'), ratioBox], [clearAll]);
  el.dataset.testid = 'remote-panel';
  return { el, dispose: unsubscribe };
}
