// The live feed: every event as it happens, newest first, with category filters, a search box, a pause
// button (events keep arriving and are counted while paused) and an events-per-minute chart.
import { columnChart } from '../components/charts.js';
import { clockTime, emptyState, h, panel, replaceChildren } from '../components/dom.js';
import { CATEGORIES, describeEvent } from '../state/event-format.js';
import type { FeedEvent } from '../api/types.js';
import { repositoryHref, type View, type ViewContext } from './view.js';

const MAX_ROWS = 300;

export function feedView(ctx: ViewContext): View {
  const { feed } = ctx;
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'event filters' });
  const search = h('input', { type: 'search', placeholder: 'Filter events…', class: 'search', 'aria-label': 'filter events', value: feed.text });
  search.addEventListener('input', () => feed.setText(search.value));
  const pause = h('button', { type: 'button', class: 'ghost', 'data-testid': 'feed-pause' });
  pause.addEventListener('click', () => feed.setPaused(!feed.paused));
  const list = h('ol', { class: 'feed', 'data-testid': 'feed-list', 'aria-live': 'polite' });
  const chart = h('div', { class: 'chart-box' });

  // Rows are kept per event id, so a new event adds one row (and animates only that one).
  const rows = new Map<number, HTMLElement>();
  let mounted = false;
  const row = (e: FeedEvent): HTMLElement => {
    let li = rows.get(e.id);
    if (!li) {
      li = entryRow(e);
      if (mounted) li.classList.add('arrived');
      rows.set(e.id, li);
    }
    return li;
  };

  const render = () => {
    replaceChildren(
      chips,
      ...CATEGORIES.map((c) => {
        const on = !feed.hidden.has(c.id);
        const b = h('button', { type: 'button', class: `chip cat-${c.id}${on ? ' on' : ''}`, 'aria-pressed': String(on), 'data-category': c.id }, h('span', { class: 'dot' }), c.label);
        b.addEventListener('click', () => feed.toggleCategory(c.id));
        return b;
      }),
    );
    pause.textContent = feed.paused ? `Resume${feed.heldCount ? ` (${feed.heldCount} new)` : ''}` : 'Pause';
    pause.classList.toggle('attention', feed.paused);
    const events = feed.visible().slice(0, MAX_ROWS);
    if (!events.length) replaceChildren(list, emptyState(feed.all().length ? 'No events match the filters.' : 'Waiting for activity: push an image, or create a repository.'));
    else replaceChildren(list, ...events.map(row));
    replaceChildren(chart, columnChart(feed.perMinute(Date.now()), 'events per minute, last 30 minutes'));
  };

  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  };
  const unsubscribe = feed.subscribe(schedule);
  const tick = setInterval(schedule, 30_000);
  render();
  mounted = true;

  const el = h(
    'div',
    { class: 'view feed-view' },
    h('div', { class: 'grid-2' }, panel('Activity', chart), panel('Filters', [chips, h('div', { class: 'row' }, search, pause)])),
    panel('Live feed', list),
  );
  return {
    el,
    dispose() {
      unsubscribe();
      clearInterval(tick);
    },
  };
}

/** One feed row: time, event type, a title (linking to the repository when there is one) and a detail line. */
export function entryRow(e: FeedEvent): HTMLElement {
  const v = describeEvent(e);
  const title = v.repository ? h('a', { href: repositoryHref(v.repository) }, v.title) : v.title;
  return h(
    'li',
    { class: `entry cat-${v.category}`, 'data-testid': 'feed-entry', 'data-type': e.type, 'data-category': v.category },
    h('time', { datetime: e.time, title: e.time }, clockTime(e.time)),
    h('span', { class: 'badge' }, e.type),
    h('div', { class: 'what' }, h('div', { class: 'title' }, title), v.detail ? h('div', { class: 'detail' }, v.detail) : null),
  );
}
