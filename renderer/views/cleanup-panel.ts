// A repository's "Last cleanup" panel: when the latest cleanup run was (emulator time), whether it was a dry
// run, what it deleted (or would have) with the policy that matched, and how many versions it kept. Read from
// GET /_emulator/cleanup/last, and read again when the feed brings a cleanup.completed for this repository.
// "Dry run now" runs the policies without deleting anything.
import type { LastCleanup } from '../api/types.js';
import { emptyState, errorState, facts, h, panel, replaceChildren } from '../components/dom.js';
import { virtualTime } from '../state/clock-format.js';
import { shortDigest } from '../state/event-format.js';
import type { View, ViewContext } from './view.js';

const SHOWN = 50;

export function cleanupPanel(ctx: ViewContext, repository: string): View {
  const body = h('div', { 'data-testid': 'last-cleanup' }, emptyState('Loading…'));
  const dryRun = h('button', { type: 'button', class: 'ghost small', 'data-testid': 'cleanup-dry-run', title: 'Run the cleanup policies as a dry run: nothing is deleted' }, 'Dry run now');
  let reads = 0;
  const load = () => {
    const n = ++reads;
    ctx.client
      .lastCleanup(repository)
      .then((last) => n === reads && replaceChildren(body, render(last)))
      .catch((err: unknown) => n === reads && replaceChildren(body, errorState(err)));
  };
  dryRun.addEventListener('click', () => {
    dryRun.disabled = true;
    ctx.client
      .runCleanup(repository, true)
      .then(load, (err: unknown) => replaceChildren(body, errorState(err)))
      .finally(() => (dryRun.disabled = false));
  });
  const unsubscribe = ctx.feed.subscribe((added) => {
    if (added?.type === 'cleanup.completed' && added.data.repository === repository) load();
  });
  load();
  return { el: panel('Last cleanup', body, [dryRun]), dispose: unsubscribe };
}

function render(last: LastCleanup): HTMLElement {
  if (!('repository' in last)) return emptyState('No cleanup has run since the emulator started. Policies run every 24 h of emulator time, or now with "Dry run now" or `ar-emulator cleanup run`.');
  const n = last.deleted.length;
  const verdict = last.dryRun ? (n ? `would delete ${n} version${n === 1 ? '' : 's'}` : 'would delete nothing') : n ? `deleted ${n} version${n === 1 ? '' : 's'}` : 'deleted nothing';
  const list = n
    ? h(
        'table',
        { class: 'data compact' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Package'), h('th', {}, 'Version'), h('th', {}, 'Policy'))),
        h(
          'tbody',
          {},
          ...last.deleted.slice(0, SHOWN).map((d) =>
            h('tr', { 'data-testid': 'cleanup-deleted' }, h('td', {}, d.package), h('td', {}, h('code', { title: d.version }, shortDigest(d.version))), h('td', {}, d.policy)),
          ),
        ),
      )
    : undefined;
  return h(
    'div',
    {},
    facts([
      ['When', h('span', { title: last.time }, virtualTime(Date.parse(last.time)))],
      ['Mode', h('span', { class: 'pill', 'data-testid': 'cleanup-mode' }, last.dryRun ? 'dry run' : 'deleting')],
      ['Result', h('span', { 'data-testid': 'cleanup-summary' }, `${verdict}, ${last.keptCount} kept`)],
    ]),
    list,
    n > SHOWN ? h('p', { class: 'muted' }, `…and ${n - SHOWN} more`) : undefined,
  );
}
