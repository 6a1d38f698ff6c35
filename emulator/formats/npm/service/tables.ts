// The tables an NPM repository keeps in its metadata shard and their record shapes: packages, versions
// (key `NAME@VERSION`) and dist-tags (key `NAME:TAG`), indexed by the content layer.
import type { ContentSchema } from '../../../content/content-index.js';

/** `npm.packages`, key NAME (`@scope/name` or `name`). */
export interface PackageRecord {
  createTime: string;
  updateTime: string;
  /** bumped on every change; the packument's `_rev` is `<rev>-<hash of name>` */
  rev: number;
  description?: string;
  /** the readme of the latest publish, clipped (README_MAX_CHARS) */
  readme?: string;
}

/** The tarball of a version, content-addressed by its sha512. */
export interface TarballRecord {
  /** `name-1.0.0.tgz` (unscoped part of the name) */
  file: string;
  /** blob address `sha512:<hex>` */
  digest: string;
  size: number;
  /** hex digests */
  sha1: string;
  sha256: string;
  /** `sha512-<base64>` (SRI) */
  integrity: string;
}

/** `npm.versions`, key NAME@VERSION. */
export interface VersionRecord {
  name: string;
  version: string;
  /** the version document as published, without `dist`, `_id`, `deprecated` and the fields npm builds itself */
  manifest: Record<string, unknown>;
  tarball: TarballRecord;
  createTime: string;
  updateTime: string;
  deprecated?: string;
  /** principal who published it */
  publisher?: string;
  /** a remote repository's cached version: when its tarball was fetched from the upstream */
  fetchTime?: string;
}

/** `npm.tags`, key NAME:TAG. */
export interface DistTagRecord {
  version: string;
  updateTime: string;
}

/**
 * `npm.remote`, key `NAME|full` or `NAME|abbreviated`: a remote repository's cached upstream packument of that
 * kind (the upstream's bytes, as a blob), and when it was fetched or last revalidated.
 */
export interface CachedPackumentRecord {
  /** blob address `sha256:<hex>` of the upstream document */
  digest: string;
  size: number;
  fetchTime: string;
  /** the upstream's ETag, sent back as If-None-Match when the TTL has passed */
  etag?: string;
}

export const T = { packages: 'npm.packages', versions: 'npm.versions', tags: 'npm.tags', remote: 'npm.remote' } as const;

// A package name holds no ':' and at most a leading '@' (validate-npm-package-name); a version holds neither.
export const versionKey = (name: string, version: string) => `${name}@${version}`;
export const tagKey = (name: string, tag: string) => `${name}:${tag}`;

export const NPM_CONTENT: ContentSchema = {
  versions: {
    table: T.versions,
    parse: (key) => {
      const i = key.lastIndexOf('@');
      return i > 0 ? { pkg: key.slice(0, i), version: key.slice(i + 1) } : undefined;
    },
  },
  tags: {
    table: T.tags,
    parse: (key) => {
      const i = key.indexOf(':');
      return i > 0 ? { pkg: key.slice(0, i), tag: key.slice(i + 1) } : undefined;
    },
    versionOf: (value) => (value as DistTagRecord | undefined)?.version,
  },
};
