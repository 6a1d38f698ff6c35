// Repositories of the chosen project and location: a table, storage per repository, and a form to create
// one (a mutating call: it carries the page's token).
import type { RepositoryResource } from '../api/types.js';
import { storageBars } from '../components/charts.js';
import { emptyState, errorState, h, panel, relativeTime, replaceChildren } from '../components/dom.js';
import { formatBytes, shortRepository } from '../state/event-format.js';
import { repositoryHref, type View, type ViewContext } from './view.js';
import { remotePanel } from './remote-panel.js';

export const enumName = (v: string | number | undefined, fallback = ''): string => (v === undefined ? fallback : String(v).replace(/_REPOSITORY$/, '').toLowerCase());

export function repositoriesView(ctx: ViewContext): View {
  const table = h('div', { class: 'table-wrap' }, emptyState('Loading…'));
  const chart = h('div', { class: 'chart-box' });
  const project = h('input', { value: ctx.scope.project, 'aria-label': 'project', spellcheck: 'false' });
  const location = h('input', { value: ctx.scope.location, 'aria-label': 'location', spellcheck: 'false' });
  const scopeForm = h('form', { class: 'scope' }, h('label', {}, 'Project', project), h('label', {}, 'Location', location), h('button', { type: 'submit', class: 'ghost' }, 'Show'));
  scopeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.setScope({ project: project.value.trim() || ctx.info.defaultProject, location: location.value.trim() || ctx.info.defaultLocation });
    void load();
  });

  const load = async () => {
    try {
      const repos = await ctx.client.listRepositories(ctx.scope.project, ctx.scope.location);
      replaceChildren(table, repos.length ? repoTable(repos) : emptyState(`No repositories in ${ctx.scope.project} / ${ctx.scope.location} yet.`));
      replaceChildren(chart, repos.length ? storageBars(repos.map((r) => ({ label: shortRepository(r.name), bytes: Number(r.sizeBytes ?? 0) }))) : emptyState('Nothing stored yet.'));
    } catch (err) {
      replaceChildren(table, errorState(err));
    }
  };

  const remote = remotePanel(ctx);
  const el = h(
    'div',
    { class: 'view' },
    h('div', { class: 'grid-2' }, panel('Scope', scopeForm), panel('Storage per repository', chart)),
    panel('Repositories', table, [createForm(ctx, load)]),
    remote.el,
  );
  void load();
  const reload = throttle(() => void load(), 500);
  const unsubscribe = ctx.feed.subscribe((e) => e && /^(repository|artifact|tag)\./.test(e.type) && reload());
  return { el, dispose: () => (unsubscribe(), remote.dispose?.()) };
}

function repoTable(repos: RepositoryResource[]): HTMLElement {
  return h(
    'table',
    { class: 'data', 'data-testid': 'repositories-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Format'), h('th', {}, 'Mode'), h('th', { class: 'num' }, 'Size'), h('th', {}, 'Created'))),
    h(
      'tbody',
      {},
      ...repos.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: repositoryHref(r.name) }, shortRepository(r.name)), r.description ? h('div', { class: 'muted' }, r.description) : null),
          h('td', {}, h('span', { class: 'pill' }, enumName(r.format))),
          h('td', {}, enumName(r.mode, 'standard')),
          h('td', { class: 'num' }, formatBytes(Number(r.sizeBytes ?? 0))),
          h('td', { title: r.createTime }, relativeTime(r.createTime)),
        ),
      ),
    ),
  );
}

function createForm(ctx: ViewContext, reload: () => Promise<void>): HTMLElement {
  const id = h('input', { placeholder: 'repository-id', required: true, pattern: '[a-z]([a-z0-9-]*[a-z0-9])?', 'aria-label': 'repository id', spellcheck: 'false' });
  const format = h('select', { 'aria-label': 'format' }, ...['DOCKER', 'NPM', 'PYTHON', 'MAVEN', 'GO', 'APT', 'YUM', 'GENERIC'].map((f) => h('option', { value: f }, f.toLowerCase())));
  const status = h('span', { class: 'muted', role: 'status' });
  const form = h('form', { class: 'inline-form', 'data-testid': 'create-repository' }, id, format, h('button', { type: 'submit' }, 'Create'), status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.textContent = 'Creating…';
    ctx.client
      .createRepository(ctx.scope.project, ctx.scope.location, id.value.trim(), { format: format.value })
      .then(() => {
        status.textContent = `Created ${id.value.trim()}`;
        id.value = '';
        return reload();
      })
      .catch((err: unknown) => (status.textContent = err instanceof Error ? err.message : String(err)));
  });
  return h('details', { class: 'create' }, h('summary', { class: 'button ghost' }, 'New repository'), form);
}

/** Runs fn once, `ms` after the first of a burst of calls. */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
