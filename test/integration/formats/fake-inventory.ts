// An in-memory ArtifactInventory for control-plane tests, registered through a FormatModule with no routes (the
// `formats` option of createEmulator): it stands in for a format's inventory (NPM, PYTHON, …) and records the
// deletes and tag moves the control plane asks of it.
import { EmulatorError } from '../../../emulator/core/errors.js';
import type { ArtifactInventory, FileInfo, TagInfo, VersionInfo } from '../../../emulator/core/inventory.js';
import type { RepositoryRef } from '../../../emulator/core/names.js';
import type { RepositoryFormat } from '../../../emulator/core/repository.js';
import type { FormatModule } from '../../../emulator/http/format-module.js';
import { Routes } from '../../../emulator/http/routes.js';

export interface FakeVersion {
  id: string;
  createTime: string;
  tags?: string[];
  files?: Array<{ id: string; sizeBytes: number; sha256: string; path?: string }>;
}

export interface FakeInventory extends ArtifactInventory {
  /** what the control plane asked: `deletePackage PKG`, `deleteVersion PKG@V force`, `setTag PKG TAG V`, `deleteTag PKG TAG` */
  readonly calls: string[];
  /** Adds a package (in repository `repository` of any project and location) with its versions. */
  add(repository: string, pkg: string, versions: FakeVersion[]): void;
}

interface Pkg {
  versions: Map<string, FakeVersion>;
  tags: Map<string, string>;
}

const notFound = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');

export function fakeInventory(format: string): FakeInventory {
  const repos = new Map<string, Map<string, Pkg>>();
  const calls: string[] = [];
  const pkgs = (ref: RepositoryRef) => repos.get(ref.repository) ?? new Map<string, Pkg>();
  const pkgOf = (ref: RepositoryRef, pkg: string) => {
    const p = pkgs(ref).get(pkg);
    if (!p) throw notFound();
    return p;
  };
  const versionInfo = (p: Pkg, v: FakeVersion): VersionInfo => ({
    id: v.id,
    createTime: v.createTime,
    updateTime: v.createTime,
    tags: [...p.tags].filter(([, to]) => to === v.id).map(([t]) => t),
  });
  const times = (p: Pkg) => [...p.versions.values()].map((v) => v.createTime).sort();

  return {
    format: format as RepositoryFormat,
    calls,
    add(repository, pkg, versions) {
      if (!repos.has(repository)) repos.set(repository, new Map());
      const p: Pkg = { versions: new Map(versions.map((v) => [v.id, v])), tags: new Map() };
      for (const v of versions) for (const t of v.tags ?? []) p.tags.set(t, v.id);
      repos.get(repository)!.set(pkg, p);
    },
    listPackages: (ref) => [...pkgs(ref)].map(([id, p]) => ({ id, createTime: times(p)[0]!, updateTime: times(p).at(-1)! })),
    getPackage(ref, pkg) {
      const p = pkgs(ref).get(pkg);
      return p && { id: pkg, createTime: times(p)[0]!, updateTime: times(p).at(-1)! };
    },
    async deletePackage(ref, pkg) {
      pkgOf(ref, pkg);
      calls.push(`deletePackage ${pkg}`);
      pkgs(ref).delete(pkg);
    },
    listVersions(ref, pkg) {
      const p = pkgs(ref).get(pkg);
      return p ? [...p.versions.values()].map((v) => () => versionInfo(p, v)) : [];
    },
    getVersion(ref, pkg, version) {
      const p = pkgs(ref).get(pkg);
      const v = p?.versions.get(version);
      return p && v ? versionInfo(p, v) : undefined;
    },
    async deleteVersion(ref, pkg, version, force) {
      const p = pkgOf(ref, pkg);
      if (!p.versions.has(version)) throw notFound();
      const tagged = [...p.tags].filter(([, to]) => to === version).map(([t]) => t);
      if (tagged.length && !force) throw new EmulatorError('FAILED_PRECONDITION', `version ${version} is tagged (${tagged.join(', ')})`);
      calls.push(`deleteVersion ${pkg}@${version}${force ? ' force' : ''}`);
      for (const t of tagged) p.tags.delete(t);
      p.versions.delete(version);
    },
    listTags(ref, pkg): TagInfo[] {
      const p = pkgs(ref).get(pkg);
      return p ? [...p.tags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, version]) => ({ id, version })) : [];
    },
    getTag(ref, pkg, tag) {
      const version = pkgs(ref).get(pkg)?.tags.get(tag);
      return version === undefined ? undefined : { id: tag, version };
    },
    async setTag(ref, pkg, tag, version) {
      const p = pkgOf(ref, pkg);
      if (!p.versions.has(version)) throw notFound();
      calls.push(`setTag ${pkg} ${tag} ${version}`);
      p.tags.set(tag, version);
      return { id: tag, version };
    },
    async deleteTag(ref, pkg, tag) {
      const p = pkgOf(ref, pkg);
      if (!p.tags.has(tag)) throw notFound();
      calls.push(`deleteTag ${pkg} ${tag}`);
      p.tags.delete(tag);
    },
    listFiles(ref): FileInfo[] {
      return [...pkgs(ref)].flatMap(([pkg, p]) =>
        [...p.versions.values()].flatMap((v) =>
          (v.files ?? []).map((f) => ({
            id: f.id,
            sizeBytes: f.sizeBytes,
            hashes: [{ type: 'SHA256' as const, hex: f.sha256 }],
            createTime: v.createTime,
            updateTime: v.createTime,
            owner: { package: pkg, version: v.id },
            ...(f.path ? { path: f.path } : {}),
          })),
        ),
      );
    },
    getFile(ref, file) {
      return this.listFiles(ref).find((f) => f.id === file);
    },
    async openFile() {
      throw notFound();
    },
    sizeBytes: (ref) => [...pkgs(ref).values()].flatMap((p) => [...p.versions.values()]).flatMap((v) => v.files ?? []).reduce((n, f) => n + f.sizeBytes, 0),
  };
}

/** A FormatModule that only carries an inventory: no routes, no repository paths (the control plane reads it). */
export function inventoryModule(inventory: ArtifactInventory): FormatModule {
  return {
    id: `fake-${inventory.format.toLowerCase()}-inventory`,
    routes: new Routes([]),
    inventory,
    renderError(err, ctx) {
      ctx.status = 500;
      ctx.body = err.message;
    },
  };
}
