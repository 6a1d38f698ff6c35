// One repository: its details (format, mode, size, policies, labels), the client settings snippet and a
// packages → versions → tags browser (Docker versions link to the image view) and the last cleanup run; for a
// virtual repository its upstreams in the order they are asked and its dependency-confusion warnings.
import type { PackageResource, RepositoryResource, VersionResource, VirtualWarningsResponse } from '../api/types.js';
import { copyButton, emptyState, errorState, facts, h, panel, relativeTime, replaceChildren } from '../components/dom.js';
import { formatBytes, shortDigest, shortRepository } from '../state/event-format.js';
import { cleanupPanel } from './cleanup-panel.js';
import { hitRatioBars } from '../components/charts.js';
import { cacheTallies, describeHitRatio } from '../state/cache-stats.js';
import { clientSettingsPanel } from './client-settings.js';
import { enumName } from './repositories-view.js';
import { imageHref, packageId, repositoryHref, safeDecode, type View, type ViewContext } from './view.js';

export function repositoryView(ctx: ViewContext, repository: string): View {
  const details = h('div', {}, emptyState('Loading…'));
  const packages = h('div', {}, emptyState('Loading…'));
  const settings = h('div', {});
  const cache = h('div', {});
  const members = h('div', {});
  const cleanup = cleanupPanel(ctx, repository);
  let remote = false;
  // a remote repository's cache hit ratio, from the feed's cache events (live)
  const renderCache = () => {
    if (!remote) return;
    const t = cacheTallies(ctx.feed.all()).find((x) => x.repository === repository) ?? { repository, hits: 0, misses: 0, failures: 0 };
    replaceChildren(
      cache,
      panel('Cache', h('div', { 'data-testid': 'repository-cache' },
        facts([['Hit ratio', describeHitRatio(t)], ['Upstream failures', String(t.failures)]]),
        t.hits + t.misses ? hitRatioBars([{ label: shortRepository(repository), ...t }]) : undefined)),
    );
  };
  const unsubscribe = ctx.feed.subscribe((added) => {
    if (added && /^(cache\.|upstream\.)/.test(added.type) && added.data.repository === repository) renderCache();
  });
  const el = h(
    'div',
    { class: 'view' },
    h('nav', { class: 'crumbs' }, h('a', { href: '#/repositories' }, 'Repositories'), h('span', {}, shortRepository(repository))),
    panel('Details', details, [h('a', { class: 'button ghost small', href: repositoryHref(repository, 'iam') }, 'IAM policy')]),
    cache,
    members,
    settings,
    cleanup.el,
    panel('Packages', packages),
  );
  const load = async () => {
    try {
      const repo = await ctx.client.getRepository(repository);
      replaceChildren(details, repoFacts(repo));
      remote = String(repo.mode) === 'REMOTE_REPOSITORY' || Number(repo.mode) === 3;
      renderCache();
      const virtual = String(repo.mode) === 'VIRTUAL_REPOSITORY' || Number(repo.mode) === 2;
      if (virtual) replaceChildren(members, virtualPanel(repo, await ctx.client.virtualWarnings(repository).catch(() => [])));
      replaceChildren(settings, clientSettingsPanel(ctx, repo));
      const pkgs = await ctx.client.listPackages(repository);
      const none = virtual ? 'A virtual repository stores nothing of its own: its upstreams hold the packages it serves.' : 'No packages yet. Push something to this repository.';
      replaceChildren(packages, pkgs.length ? packageList(ctx, repo, pkgs) : emptyState(none));
    } catch (err) {
      replaceChildren(details, errorState(err));
      packages.replaceChildren();
    }
  };
  void load();
  return { el, dispose: () => (unsubscribe(), cleanup.dispose?.()) };
}

/**
 * A virtual repository's members in the order they are asked (priority desc, ties in listed order), and its
 * dependency-confusion warnings: a remote member asked before a standard one that holds packages (docs/virtual.md).
 */
function virtualPanel(repo: RepositoryResource, warnings: VirtualWarningsResponse['warnings']): HTMLElement {
  const policies = (repo.virtualRepositoryConfig?.upstreamPolicies ?? []).map((p, i) => ({ ...p, i, priority: Number(p.priority ?? 0) }));
  policies.sort((a, b) => b.priority - a.priority || a.i - b.i);
  return panel('Upstreams', h('div', { 'data-testid': 'virtual-upstreams' },
    ...warnings.map((w) => h('p', { class: 'warning', 'data-testid': 'virtual-warning', role: 'alert' },
      h('strong', {}, 'Dependency-confusion risk: '),
      `remote ${shortRepository(w.remote)} (priority ${w.remotePriority}) is asked before standard ${shortRepository(w.standard)} (priority ${w.standardPriority}), which holds ${w.packageCount} package${w.packageCount === 1 ? '' : 's'}: ${w.packages.join(', ')}${w.packageCount > w.packages.length ? ', …' : ''}. A public package of the same name would shadow the internal one; give the standard upstream the higher priority.`)),
    policies.length
      ? h('table', { class: 'data compact' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Id'), h('th', {}, 'Repository'), h('th', { class: 'num' }, 'Priority'))),
        h('tbody', {}, ...policies.map((p) => h('tr', { 'data-testid': 'virtual-upstream' }, h('td', {}, p.id), h('td', {}, h('a', { href: repositoryHref(p.repository) }, shortRepository(p.repository))), h('td', { class: 'num' }, String(p.priority))))))
      : emptyState('No upstreams yet.')));
}

function repoFacts(r: RepositoryResource & { cleanupPolicies?: Record<string, unknown>; cleanupPolicyDryRun?: boolean }): HTMLElement {
  const policies = Object.keys(r.cleanupPolicies ?? {});
  return facts([
    ['Name', h('code', {}, r.name)],
    ['Format', h('span', { class: 'pill' }, enumName(r.format))],
    ['Mode', enumName(r.mode, 'standard')],
    ['Size', formatBytes(Number(r.sizeBytes ?? 0))],
    ['Registry', r.registryUri ? h('span', { class: 'with-action' }, h('code', {}, r.registryUri), copyButton(r.registryUri)) : undefined],
    ['Description', r.description],
    ['Immutable tags', r.dockerConfig?.immutableTags ? 'yes' : 'no'],
    ['Cleanup policies', policies.length ? `${policies.join(', ')}${r.cleanupPolicyDryRun ? ' (dry run)' : ''}` : 'none'],
    ['Labels', r.labels && Object.keys(r.labels).length ? h('span', {}, ...Object.entries(r.labels).map(([k, v]) => h('span', { class: 'pill' }, `${k}=${v}`))) : undefined],
    ['Created', r.createTime ? `${new Date(r.createTime).toLocaleString()} (${relativeTime(r.createTime)})` : undefined],
  ]);
}

function packageList(ctx: ViewContext, repo: RepositoryResource, pkgs: PackageResource[]): HTMLElement {
  const isDocker = String(repo.format).toUpperCase() === 'DOCKER';
  return h(
    'div',
    { class: 'packages' },
    ...pkgs.map((p) => {
      const body = h('div', { class: 'versions' }, emptyState('Loading versions…'));
      const item = h('details', { class: 'package', 'data-testid': 'package', 'data-package': packageId(p.name) }, h('summary', {}, h('span', { class: 'pkg-name' }, packageId(p.name)), h('span', { class: 'muted' }, `updated ${relativeTime(p.updateTime)}`)), body);
      item.addEventListener('toggle', () => {
        if (!item.open || item.dataset.loaded) return;
        item.dataset.loaded = '1';
        ctx.client
          .listVersions(p.name)
          .then((versions) => replaceChildren(body, versions.length ? versionTable(repo.name, packageId(p.name), versions, isDocker) : emptyState('No versions.')))
          .catch((err: unknown) => replaceChildren(body, errorState(err)));
      });
      return item;
    }),
  );
}

function versionTable(repository: string, pkg: string, versions: VersionResource[], isDocker: boolean): HTMLElement {
  return h(
    'table',
    { class: 'data compact' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {}, 'Tags'), h('th', {}, 'Media type'), h('th', { class: 'num' }, 'Size'), h('th', {}, 'Created'))),
    h(
      'tbody',
      {},
      ...versions.map((v) => {
        const raw = v.name.split('/versions/')[1] ?? '';
        const id = safeDecode(raw) ?? raw;
        const label = h('code', { title: id }, shortDigest(id));
        return h(
          'tr',
          { 'data-testid': 'version' },
          h('td', {}, isDocker ? h('a', { href: imageHref(repository, pkg, id) }, label) : label),
          h('td', {}, ...(v.relatedTags ?? []).map((t) => h('span', { class: 'tag' }, t.name.split('/tags/')[1] ?? t.name))),
          h('td', { class: 'muted' }, (v.metadata?.mediaType ?? '').replace(/^application\/vnd\./, '')),
          h('td', { class: 'num' }, v.metadata?.imageSizeBytes ? formatBytes(Number(v.metadata.imageSizeBytes)) : ''),
          h('td', { title: v.createTime }, relativeTime(v.createTime)),
        );
      }),
    ),
  );
}
