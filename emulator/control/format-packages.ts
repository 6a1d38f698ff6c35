// npmPackages, pythonPackages and mavenArtifacts (artifact.proto; spec ar-fidelity §1.2, §1.4): views of the generic inventory of an
// NPM or PYTHON repository in which each version of each package is one item, named `PACKAGE:VERSION`. Lists page
// with pageSize/pageToken only (the requests have no filter or order_by). A repository of another format has none:
// its list is empty and every get is NOT_FOUND.
import { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory, FileInfo, VersionInfo } from '../core/inventory.js';
import { clip, parseResourceName, type RepositoryRef } from '../core/names.js';
import type { Json } from './api.js';
import { listPageOf } from './listing.js';
import type { PageTokens } from './page-token.js';
import { mavenArtifactResource, npmPackageResource, pythonPackageResource } from './resources.js';

export interface FormatPackagesDeps {
  /** the inventory of the repository when it is of `format` and a module serves that format; NOT_FOUND for a missing repository */
  inventoryFor(ref: RepositoryRef, format: 'NPM' | 'PYTHON' | 'MAVEN'): ArtifactInventory | undefined;
  pageTokens: PageTokens;
  registryHost: () => string;
}

type PageRequest = { parent: string; pageSize?: number; pageToken?: string };
type Item = { pkg: string; version: () => VersionInfo };

export function formatPackages(d: FormatPackagesDeps) {
  const versionsOf = (ref: RepositoryRef, inv: ArtifactInventory): Item[] =>
    inv.listPackages(ref).flatMap((p) => inv.listVersions(ref, p.id).map((version) => ({ pkg: p.id, version })));
  const page = (req: PageRequest, items: Item[], toJson: (items: Array<{ pkg: string; v: VersionInfo }>) => Json[]) => {
    const r = listPageOf(items, (x) => ({ pkg: x.pkg, v: x.version() }), { scope: req.parent, filterFields: {}, orderFields: {} }, req, d.pageTokens);
    return { items: toJson(r.items), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
  };
  const found = (inv: ArtifactInventory | undefined, ref: RepositoryRef, pkg: string, version: string) => {
    const v = inv?.getPackage(ref, pkg) && inv.getVersion(ref, pkg, version);
    if (!v) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return { inv: inv!, v };
  };
  /** The first file uploaded of each version (its `uri`), from one pass over the repository's files. */
  const firstFiles = (ref: RepositoryRef, inv: ArtifactInventory) => {
    const first = new Map<string, FileInfo>();
    for (const f of inv.listFiles(ref)) {
      const key = `${f.owner.package}\0${f.owner.version ?? ''}`;
      const seen = first.get(key);
      if (!seen || f.createTime < seen.createTime) first.set(key, f);
    }
    return (pkg: string, version: string) => first.get(`${pkg}\0${version}`);
  };

  return {
    async listNpmPackages(req: PageRequest): Promise<{ npmPackages?: Json[]; nextPageToken?: string }> {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const inv = d.inventoryFor(ref, 'NPM');
      const r = page(req, inv ? versionsOf(ref, inv) : [], (items) => items.map((x) => npmPackageResource(ref, x.pkg, x.v)));
      return { ...(r.items.length ? { npmPackages: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getNpmPackage(req: { name: string }): Promise<Json> {
      const n = parseArtifactName(req.name, 'npmPackages');
      const { v } = found(d.inventoryFor(n.ref, 'NPM'), n.ref, n.pkg, n.version);
      return npmPackageResource(n.ref, n.pkg, v);
    },
    async listMavenArtifacts(req: PageRequest): Promise<{ mavenArtifacts?: Json[]; nextPageToken?: string }> {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const inv = d.inventoryFor(ref, 'MAVEN');
      const r = page(req, inv ? versionsOf(ref, inv) : [], (items) => items.map((x) => mavenArtifactResource(ref, x.pkg, x.v, d.registryHost())));
      return { ...(r.items.length ? { mavenArtifacts: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getMavenArtifact(req: { name: string }): Promise<Json> {
      const n = parseArtifactName(req.name, 'mavenArtifacts');
      const { v } = found(d.inventoryFor(n.ref, 'MAVEN'), n.ref, n.pkg, n.version);
      return mavenArtifactResource(n.ref, n.pkg, v, d.registryHost());
    },
    async listPythonPackages(req: PageRequest): Promise<{ pythonPackages?: Json[]; nextPageToken?: string }> {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      const inv = d.inventoryFor(ref, 'PYTHON');
      const r = page(req, inv ? versionsOf(ref, inv) : [], (items) => {
        if (!items.length || !inv) return [];
        const fileOf = firstFiles(ref, inv);
        return items.map((x) => pythonPackageResource(ref, x.pkg, x.v, fileOf(x.pkg, x.v.id), d.registryHost()));
      });
      return { ...(r.items.length ? { pythonPackages: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getPythonPackage(req: { name: string }): Promise<Json> {
      const n = parseArtifactName(req.name, 'pythonPackages');
      const { inv, v } = found(d.inventoryFor(n.ref, 'PYTHON'), n.ref, n.pkg, n.version);
      return pythonPackageResource(n.ref, n.pkg, v, firstFiles(n.ref, inv)(n.pkg, v.id), d.registryHost());
    },
  };
}

/**
 * `projects/P/locations/L/repositories/R/COLLECTION/PACKAGE:VERSION`, PACKAGE percent-decoded (`@scope%2Fname` and
 * `%40scope%2Fname` both name `@scope/name`); neither npm nor Python names or versions contain `:` (Maven's
 * `GROUP:ARTIFACT:VERSION` splits at its last one).
 */
function parseArtifactName(name: string, collection: string): { ref: RepositoryRef; pkg: string; version: string } {
  const bad = () =>
    new EmulatorError('INVALID_ARGUMENT', `Invalid resource name "${clip(String(name))}" in field "name": expected …/repositories/REPOSITORY/${collection}/PACKAGE:VERSION.`, { field: 'name' });
  const m = typeof name === 'string' ? new RegExp(`^(projects/[^/]+/locations/[^/]+/repositories/[^/]+)/${collection}/([^/]+)$`).exec(name) : null;
  if (!m) throw bad();
  const ref = parseResourceName(m[1]!, 'repository', 'name').ref;
  let id: string;
  try {
    id = decodeURIComponent(m[2]!);
  } catch {
    throw bad();
  }
  const colon = id.lastIndexOf(':');
  if (colon <= 0 || colon === id.length - 1) throw bad();
  return { ref, pkg: id.slice(0, colon), version: id.slice(colon + 1) };
}
