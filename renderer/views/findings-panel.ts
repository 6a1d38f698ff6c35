// An image's "Vulnerabilities" panel: the scan status (the DISCOVERY occurrence: status, last scan, error), the
// findings grouped by severity (CRITICAL first) with advisory, package, installed and fixed version, and "Scan
// again" (POST /_emulator/scans). Read from the emulator's Container Analysis API by the image's resourceUri,
// and read again when the feed brings a scan.completed / scan.failed of this image.
import type { Occurrence } from '../api/analysis-types.js';
import { emptyState, errorState, facts, h, panel, relativeTime, replaceChildren } from '../components/dom.js';
import { groupFindings, imageResourceUri, resourceFilter, scanStatus, statusLabel, type FindingGroup } from '../state/findings.js';
import { repoParts, type View, type ViewContext } from './view.js';

const SHOWN = 200;

export function findingsPanel(ctx: ViewContext, repository: string, pkg: string, digest: string): View {
  const [project, location, repo] = repoParts(repository);
  const resourceUri = imageResourceUri(project, location, repo, pkg, digest);
  const status = h('div', { 'data-testid': 'scan-status' }, emptyState('Loading…'));
  const body = h('div', { 'data-testid': 'findings' });
  const note = h('p', { class: 'muted', 'data-testid': 'scan-note' });
  const again = h('button', { type: 'button', class: 'ghost small', 'data-testid': 'scan-again', title: 'Scan this image now against the advisory database' }, 'Scan again');
  let reads = 0;
  const load = () => {
    const n = ++reads;
    ctx.client
      .listOccurrences(project, resourceFilter(resourceUri))
      .then((occ) => n === reads && render(occ))
      .catch((err: unknown) => n === reads && replaceChildren(status, errorState(err)));
  };
  const render = (occ: Occurrence[]) => {
    const s = scanStatus(occ);
    replaceChildren(
      status,
      s
        ? facts([
            ['Scan', h('span', { class: `pill scan-${s.status.toLowerCase()}`, 'data-testid': 'scan-state', title: s.status }, statusLabel(s.status))],
            ['Last scan', s.lastScanTime ? h('time', { datetime: s.lastScanTime, title: s.lastScanTime, 'data-testid': 'scan-time' }, relativeTime(s.lastScanTime)) : undefined],
            ['Error', s.error ? h('span', { class: 'error-text', 'data-testid': 'scan-error' }, s.error) : undefined],
          ])
        : emptyState('Not scanned yet (scanning may be off for this repository, or the scan is queued).'),
    );
    const groups = groupFindings(occ);
    replaceChildren(body, ...(groups.length ? groups.map(groupTable) : [emptyState(s?.status === 'FINISHED_SUCCESS' ? 'No known vulnerabilities.' : 'No findings.')]));
  };
  again.addEventListener('click', () => {
    again.disabled = true;
    replaceChildren(note, 'Scanning…');
    ctx.client
      .scanImage(resourceUri)
      .then(
        (r) => {
          replaceChildren(note, r.status === 'FINISHED_SUCCESS' ? `Scanned: ${r.total} finding${r.total === 1 ? '' : 's'}, ${r.fixable} fixable.` : `Scan ${statusLabel(r.status)}${r.reason ? `: ${r.reason}` : ''}.`);
          load();
        },
        (err: unknown) => replaceChildren(note, errorState(err)),
      )
      .finally(() => (again.disabled = false));
  });
  const unsubscribe = ctx.feed.subscribe((added) => {
    if ((added?.type === 'scan.completed' || added?.type === 'scan.failed') && added.data.resourceUri === resourceUri) load();
  });
  load();
  return { el: panel('Vulnerabilities', [status, body, note], [again]), dispose: unsubscribe };
}

function groupTable(g: FindingGroup): HTMLElement {
  const rows = g.rows.slice(0, SHOWN);
  return h(
    'div',
    { class: 'finding-group', 'data-testid': 'finding-group', 'data-severity': g.severity },
    h('h3', {}, h('span', { class: `severity sev-${g.severity.toLowerCase()}` }, g.severity), ' ', h('span', { class: 'muted', 'data-testid': 'finding-count' }, String(g.rows.length))),
    h(
      'table',
      { class: 'data compact' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Advisory'), h('th', {}, 'Package'), h('th', {}, 'Installed'), h('th', {}, 'Fixed'), h('th', { class: 'num' }, 'CVSS'))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'finding' },
            h('td', {}, h('a', { href: `https://osv.dev/vulnerability/${encodeURIComponent(r.advisory)}`, target: '_blank', rel: 'noreferrer', 'data-testid': 'finding-advisory' }, r.advisory)),
            h('td', { title: r.filePath }, h('span', { 'data-testid': 'finding-package' }, r.package), r.packageType ? h('span', { class: 'muted' }, ` ${r.packageType.toLowerCase()}`) : undefined),
            h('td', {}, h('code', { 'data-testid': 'finding-installed' }, r.installed)),
            h('td', { 'data-testid': 'finding-fixed' }, r.fixed ? h('code', {}, r.fixed) : h('span', { class: 'muted' }, 'no fix')),
            h('td', { class: 'num' }, r.cvssScore !== undefined ? r.cvssScore.toFixed(1) : ''),
          ),
        ),
      ),
    ),
    g.rows.length > SHOWN ? h('p', { class: 'muted' }, `…and ${g.rows.length - SHOWN} more`) : undefined,
  );
}
