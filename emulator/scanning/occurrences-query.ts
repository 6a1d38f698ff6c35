// What the Container Analysis API (control/analysis-api.ts) asks of the scans: occurrences of a project by filter,
// one occurrence, the note of an occurrence (synthesized: vulnerability notes from the advisory database, as if from
// the provider project goog-vulnz; the DISCOVERY note of goog-analysis), the vulnerability summary, and on-demand scans.
import { EmulatorError } from '../core/errors.js';
import type { ImageReader } from '../core/image-reader.js';
import type { Clock } from '../core/clock.js';
import { ATTACHMENT_NAMESPACE_ANNOTATION } from '../core/inventory.js';
import type { AttestationWriter } from '../core/pull-policy.js';
import { SPDX_MEDIA_TYPE, spdxDocument } from './sbom.js';
import type { RepositoryRef } from '../core/names.js';
import { parseOccurrenceFilter, pinnedResource, resourceValues } from './filter.js';
import { DISCOVERY_NOTE, VULNZ_PROJECT, imageResourceUri, parseImageResourceUri, type Occurrence, type OccurrenceStore } from './occurrences.js';
import type { Scanner, ScanResult } from './scanner.js';
import type { StoredAdvisory } from './osv.js';

export interface ScanRequest {
  resourceUri?: string;
  /** `projects/P/locations/L/repositories/R`, or with `project`: the repository id */
  repository?: string;
  project?: string;
  location?: string;
  image?: string;
  digest?: string;
  tag?: string;
}

export interface OccurrenceQueryDeps {
  store: OccurrenceStore;
  vulndb: { get(id: string): StoredAdvisory | undefined };
  scanner: Scanner;
  images: ImageReader | undefined;
  /** the location of PROJECT/REPO when a request does not name one (the data plane's rule) */
  locate(project: string, repository: string): string | undefined;
  /** where SBOMs are attached to images as OCI referrers (the Docker format); absent: SBOM export is unavailable */
  attestations?: () => AttestationWriter | undefined;
  clock?: Clock;
}

export class OccurrenceQueries {
  constructor(private readonly d: OccurrenceQueryDeps) {}

  /** The project's occurrences matching `filter` (INVALID_ARGUMENT when it does not parse), by name. */
  list(project: string, filter: string | undefined): Occurrence[] {
    const predicate = parseOccurrenceFilter(filter);
    const aliases = this.aliases(project, filter);
    let pinned = pinnedResource(filter);
    if (pinned !== undefined) pinned = [...aliases].find(([, a]) => a === pinned || a === `https://${pinned}`)?.[0] ?? pinned;
    const all = pinned !== undefined ? this.d.store.ofResource(project, pinned) : this.d.store.list(project);
    if (!aliases.size) return all.filter(predicate);
    return all.flatMap((o) => {
      const alias = aliases.get(o.resourceUri);
      if (alias === undefined) return predicate(o) ? [o] : [];
      return predicate({ ...o, resourceAliases: [alias, alias.slice('https://'.length)] }) ? [{ ...o, resourceUri: alias }] : [];
    });
  }

  /**
   * The images a filter names in the emulator's host-swapped form (`[https://]HOST/P/R/IMAGE@sha256:…` with a HOST
   * that is not pkg.dev: the `uri` the dockerImages API gives out here, which `gcloud artifacts docker images list
   * --show-occurrences` sends back and keys its answer by), as real resourceUri → `https://HOST/…`. Such an image's
   * occurrences match either form and are answered in the host-swapped one.
   */
  private aliases(project: string, filter: string | undefined): Map<string, string> {
    const out = new Map<string, string>();
    for (const v of resourceValues(filter)) {
      const m = /^(?:https:\/\/)?([^/]+)\/([^/]+)\/([^/]+)\/(.+@sha256:[a-f0-9]{64})$/.exec(v);
      if (!m || m[1]!.endsWith('.pkg.dev') || m[2] !== project) continue;
      const location = this.d.locate(project, m[3]!);
      if (location) out.set(`https://${location}-docker.pkg.dev/${project}/${m[3]}/${m[4]}`, `https://${m[1]}/${project}/${m[3]}/${m[4]}`);
    }
    return out;
  }

  get(project: string, id: string): Occurrence {
    const o = this.d.store.get(project, id);
    if (!o) throw new EmulatorError('NOT_FOUND', `Occurrence projects/${project}/occurrences/${id.slice(0, 100)} was not found.`);
    return o;
  }

  /** `{counts: [{resourceUri, severity, fixableCount, totalCount}]}` over the VULNERABILITY occurrences matching `filter`. */
  summary(project: string, filter: string | undefined): { counts: Array<Record<string, string>> } {
    const counts = new Map<string, { resourceUri: string; severity?: string; fixable: number; total: number }>();
    for (const o of this.list(project, filter)) {
      if (o.kind !== 'VULNERABILITY') continue;
      const severity = o.vulnerability?.effectiveSeverity ?? o.vulnerability?.severity;
      const key = `${o.resourceUri}\u0000${severity ?? ''}`;
      let c = counts.get(key);
      if (!c) counts.set(key, (c = { resourceUri: o.resourceUri, ...(severity ? { severity } : {}), fixable: 0, total: 0 }));
      c.total++;
      if (o.vulnerability?.fixAvailable) c.fixable++;
    }
    return {
      counts: [...counts.values()].map((c) => ({ resourceUri: c.resourceUri, ...(c.severity ? { severity: c.severity } : {}), fixableCount: String(c.fixable), totalCount: String(c.total) })),
    };
  }

  /** A note by name (`projects/goog-vulnz/notes/ID`, the DISCOVERY note); NOT_FOUND for any other. */
  note(project: string, noteId: string): Record<string, unknown> {
    const name = `projects/${project}/notes/${noteId}`;
    if (name === DISCOVERY_NOTE) {
      return { name, shortDescription: 'Package vulnerability scanning', kind: 'DISCOVERY', discovery: { analysisKind: 'VULNERABILITY' } };
    }
    const stored = project === VULNZ_PROJECT ? this.d.vulndb.get(noteId) : undefined;
    if (!stored) throw new EmulatorError('NOT_FOUND', `Note ${name.slice(0, 200)} was not found.`);
    const osv = stored.osv;
    const sev = stored.severity;
    return {
      name,
      shortDescription: osv.id,
      ...(osv.summary || osv.details ? { longDescription: (osv.summary ?? osv.details ?? '').slice(0, 4000) } : {}),
      kind: 'VULNERABILITY',
      relatedUrl: [{ url: `https://osv.dev/vulnerability/${osv.id}`, label: 'More Info' }, ...(osv.references ?? []).slice(0, 10).map((r) => ({ url: r.url, label: r.type }))],
      ...(osv.published ? { createTime: osv.published } : {}),
      updateTime: osv.modified,
      ...(osv.aliases?.length ? { relatedNoteNames: osv.aliases.map((a) => `projects/${VULNZ_PROJECT}/notes/${a}`) } : {}),
      vulnerability: {
        ...(sev.severity !== 'SEVERITY_UNSPECIFIED' ? { severity: sev.severity } : {}),
        ...(sev.cvssScore !== undefined ? { cvssScore: sev.cvssScore, cvssVersion: sev.cvssVersion } : {}),
        details: (osv.affected ?? []).filter((a) => a.package).slice(0, 100).map((a) => ({
          affectedPackage: a.package!.name,
          packageType: a.package!.ecosystem,
          source: 'OSV',
          ...(sev.severity !== 'SEVERITY_UNSPECIFIED' ? { severityName: sev.severity, effectiveSeverity: sev.severity } : {}),
        })),
        ...(osv.modified ? { sourceUpdateTime: osv.modified } : {}),
      },
    };
  }

  /** The note an occurrence is attached to. */
  noteOf(project: string, id: string): Record<string, unknown> {
    const o = this.get(project, id);
    const [, noteProject, , noteId] = o.noteName.split('/');
    return this.note(noteProject!, noteId!);
  }

  /** POST /_emulator/scans: which image, then scan it now. */
  /**
   * `projects.resources.exportSBOM` (`gcloud artifacts sbom export`): the image's SPDX 2.3 SBOM, built from its layers,
   * stored as an OCI referrer of it (artifactType application/spdx+json, attachment namespace
   * artifactanalysis.googleapis.com), so it is an attachment of the image; answers the image's DISCOVERY occurrence.
   */
  async exportSbom(project: string, resource: string): Promise<{ discoveryOccurrence?: string }> {
    const uri = resource.startsWith('https://') ? resource : `https://${resource}`;
    const parsed = parseImageResourceUri(uri);
    if (!parsed) throw new EmulatorError('INVALID_ARGUMENT', 'The resource must look like https://LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE@sha256:HEX.', { field: 'name' });
    if (parsed.project !== project) throw new EmulatorError('INVALID_ARGUMENT', `The resource is in project "${parsed.project}", not "${project}".`, { field: 'name' });
    const writer = this.d.attestations?.();
    if (!writer) throw new EmulatorError('UNSUPPORTED', 'SBOM export needs the Docker format.');
    const ref = { project: parsed.project, location: parsed.location, repository: parsed.repository };
    const inventory = await this.d.scanner.inventoryOf(ref, parsed.image, parsed.digest);
    const now = this.d.clock?.now() ?? new Date();
    const payload = Buffer.from(JSON.stringify(spdxDocument(imageResourceUri(ref, parsed.image, parsed.digest), inventory, now)));
    await writer.attach(ref, parsed.image, parsed.digest, {
      artifactType: SPDX_MEDIA_TYPE, payload,
      annotations: { [ATTACHMENT_NAMESPACE_ANNOTATION]: 'artifactanalysis.googleapis.com', 'org.opencontainers.image.created': now.toISOString() },
    });
    const discovery = this.d.store.discoveryOf(project, imageResourceUri(ref, parsed.image, parsed.digest));
    return discovery ? { discoveryOccurrence: discovery.name } : {};
  }

  async scan(body: ScanRequest): Promise<ScanResult & { image: { repository: RepositoryRef; image: string; digest: string } }> {
    let ref: RepositoryRef;
    let image: string;
    let digest: string | undefined;
    if (typeof body.resourceUri === 'string') {
      const parsed = parseImageResourceUri(body.resourceUri);
      if (!parsed) throw new EmulatorError('INVALID_ARGUMENT', 'resourceUri must look like https://LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE@sha256:HEX.', { field: 'resourceUri' });
      ref = { project: parsed.project, location: parsed.location, repository: parsed.repository };
      image = parsed.image;
      digest = parsed.digest;
    } else {
      const str = (v: unknown, field: string): string => {
        if (typeof v !== 'string' || !v) throw new EmulatorError('INVALID_ARGUMENT', `"${field}" is required: send resourceUri, or repository, image and digest or tag.`, { field });
        return v;
      };
      const repo = str(body.repository, 'repository');
      const m = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(repo);
      if (m) ref = { project: m[1]!, location: m[2]!, repository: m[3]! };
      else {
        const project = str(body.project, 'project');
        const location = body.location ?? this.d.locate(project, repo);
        if (!location) throw new EmulatorError('NOT_FOUND', `Repository ${project}/${repo.slice(0, 63)} was not found.`);
        ref = { project, location, repository: repo };
      }
      image = str(body.image, 'image');
      if (typeof body.digest === 'string' && body.digest) digest = body.digest;
      else {
        const tag = str(body.tag, 'digest');
        digest = this.d.images?.resolveTag(ref, image, tag);
        if (!digest) throw new EmulatorError('NOT_FOUND', `Tag ${image}:${tag.slice(0, 128)} was not found in projects/${ref.project}/locations/${ref.location}/repositories/${ref.repository}.`);
      }
      if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new EmulatorError('INVALID_ARGUMENT', '"digest" must be sha256:HEX (64 hex digits).', { field: 'digest' });
    }
    const result = await this.d.scanner.scanNow(ref, image, digest);
    return { ...result, image: { repository: ref, image, digest }, resourceUri: imageResourceUri(ref, image, digest) };
  }
}
