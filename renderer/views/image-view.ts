// One image (a Docker version): its manifest, tags, vulnerabilities (findings-panel.ts), layers, platforms (for an
// index) and config summary.
// Bytes come through the control plane's files.download, so looking at an image is not counted as a pull.
import type { OciDescriptor, OciImageConfig } from '../api/types.js';
import { copyButton, errorState, emptyState, facts, h, panel, replaceChildren } from '../components/dom.js';
import { formatBytes, shortDigest, shortRepository } from '../state/event-format.js';
import { findingsPanel } from './findings-panel.js';
import { imageHref, repoParts, repositoryHref, type View, type ViewContext } from './view.js';

export function imageView(ctx: ViewContext, repository: string, pkg: string, digest: string): View {
  const summary = h('div', {}, emptyState('Loading…'));
  const contents = h('div', { class: 'view' });
  const raw = h('pre', { class: 'raw' });
  const [project, , repo] = repoParts(repository);
  const findings = findingsPanel(ctx, repository, pkg, digest);
  const ref = `${ctx.info.url.replace(/^https?:\/\//, '').replace('127.0.0.1', 'localhost')}/${project}/${repo}/${pkg}@${digest}`;
  const el = h(
    'div',
    { class: 'view', 'data-testid': 'image-view' },
    h('nav', { class: 'crumbs' }, h('a', { href: '#/repositories' }, 'Repositories'), h('a', { href: repositoryHref(repository) }, shortRepository(repository)), h('span', {}, `${pkg}@${shortDigest(digest)}`)),
    panel('Image', summary, [copyButton(ref, 'Copy reference')]),
    findings.el,
    contents,
    panel('Manifest', h('details', {}, h('summary', {}, 'Raw JSON'), raw)),
  );

  const load = async () => {
    try {
      const pkgName = `${repository}/packages/${encodeURIComponent(pkg)}`;
      const [manifest, tags] = await Promise.all([ctx.client.getManifest(repository, digest), ctx.client.listTags(pkgName)]);
      const own = tags.filter((t) => t.version.endsWith(`/versions/${digest}`)).map((t) => t.name.split('/tags/')[1] ?? t.name);
      raw.textContent = JSON.stringify(manifest, null, 2);
      const isIndex = Array.isArray(manifest.manifests);
      const layers = manifest.layers ?? [];
      const total = (manifest.config?.size ?? 0) + layers.reduce((s, l) => s + l.size, 0);
      replaceChildren(
        summary,
        facts([
          ['Reference', h('code', {}, ref)],
          ['Digest', h('code', { 'data-testid': 'image-digest' }, digest)],
          ['Tags', own.length ? h('span', { 'data-testid': 'image-tags' }, ...own.map((t) => h('span', { class: 'tag' }, t))) : h('span', { class: 'muted', 'data-testid': 'image-tags' }, 'untagged')],
          ['Media type', manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json'],
          ['Artifact type', manifest.artifactType],
          [isIndex ? 'Platforms' : 'Size', isIndex ? String(manifest.manifests!.length) : formatBytes(total)],
          ['Subject', manifest.subject ? h('code', {}, shortDigest(manifest.subject.digest)) : undefined],
        ]),
      );
      const parts: HTMLElement[] = [];
      if (isIndex) parts.push(panel('Platforms', platformTable(repository, pkg, manifest.manifests!)));
      if (!isIndex) parts.push(panel('Layers', layerTable(layers)));
      if (manifest.config && /config/.test(manifest.config.mediaType) && manifest.config.size < 1_000_000) {
        const cfg = await ctx.client.getImageConfig(repository, manifest.config.digest).catch(() => undefined);
        if (cfg) parts.push(panel('Config', configFacts(cfg, manifest.config)));
      }
      replaceChildren(contents, ...parts);
    } catch (err) {
      replaceChildren(summary, errorState(err));
    }
  };
  void load();
  return { el, dispose: findings.dispose };
}

function layerTable(layers: OciDescriptor[]): HTMLElement {
  if (!layers.length) return emptyState('No layers.');
  return h(
    'table',
    { class: 'data compact', 'data-testid': 'layers' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Digest'), h('th', {}, 'Media type'), h('th', { class: 'num' }, 'Size'))),
    h(
      'tbody',
      {},
      ...layers.map((l, i) =>
        h('tr', { 'data-testid': 'layer' }, h('td', { class: 'muted' }, i + 1), h('td', {}, h('code', { title: l.digest }, shortDigest(l.digest))), h('td', { class: 'muted' }, l.mediaType.replace(/^application\/vnd\./, '')), h('td', { class: 'num' }, formatBytes(l.size))),
      ),
    ),
  );
}

function platformTable(repository: string, pkg: string, manifests: OciDescriptor[]): HTMLElement {
  return h(
    'table',
    { class: 'data compact', 'data-testid': 'platforms' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Platform'), h('th', {}, 'Digest'), h('th', { class: 'num' }, 'Size'))),
    h(
      'tbody',
      {},
      ...manifests.map((m) => {
        const p = m.platform;
        const label = p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : (m.artifactType ?? 'unknown');
        return h('tr', {}, h('td', {}, label), h('td', {}, h('a', { href: imageHref(repository, pkg, m.digest) }, h('code', {}, shortDigest(m.digest)))), h('td', { class: 'num' }, formatBytes(m.size)));
      }),
    ),
  );
}

function configFacts(cfg: OciImageConfig, desc: OciDescriptor): HTMLElement {
  const cmd = [...(cfg.config?.Entrypoint ?? []), ...(cfg.config?.Cmd ?? [])].join(' ');
  return facts([
    ['Platform', [cfg.os, cfg.architecture].filter(Boolean).join('/')],
    ['Created', cfg.created ? new Date(cfg.created).toLocaleString() : undefined],
    ['Command', cmd ? h('code', {}, cmd) : undefined],
    ['History', cfg.history?.length ? `${cfg.history.length} steps` : undefined],
    ['Config', h('code', { title: desc.digest }, shortDigest(desc.digest))],
  ]);
}
