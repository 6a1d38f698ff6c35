// The Python format's tables in a repository shard, and how the content layer reads them: projects by
// normalized name, versions (`NAME/VERSION`, each listing its files) and files by file name. Python has no tags.
import type { ContentSchema } from '../../../content/content-index.js';

export const T = {
  projects: 'python.projects',
  versions: 'python.versions',
  files: 'python.files',
  /** remote repositories: the upstream's project pages, by normalized project name (the page itself is a blob) */
  pages: 'python.remote.pages',
  /** never written: the content layer wants a tag table, and Python has no tags */
  tags: 'python.tags',
} as const;

export interface ProjectRecord {
  /** the name as first uploaded (`Foo_Bar`); the record key is its PEP 503 normal form */
  name: string;
  createTime: string;
  updateTime: string;
}

export interface VersionRecord {
  /** normalized project name */
  project: string;
  /** PEP 440 normal form */
  version: string;
  /** file names, in upload order */
  files: string[];
  summary?: string;
  createTime: string;
  updateTime: string;
}

export interface FileRecord {
  filename: string;
  /** normalized project name */
  project: string;
  version: string;
  filetype: 'bdist_wheel' | 'sdist';
  size: number;
  /** content address of the file, `sha256:<hex>` */
  digest: string;
  sha256: string;
  md5: string;
  blake2_256: string;
  requiresPython?: string;
  /** the wheel's core metadata file (PEP 658), stored as its own blob */
  metadata?: { digest: string; sha256: string; size: number };
  uploadTime: string;
  /** remote repositories: when the file was taken from the upstream (File.fetchTime) */
  fetchTime?: string;
}

/** A remote repository's cached upstream project page: the parsed page (remote-wire.ts UpstreamPage) as a JSON blob. */
export interface CachedPageRecord {
  digest: string;
  size: number;
  /** when the upstream last gave (or confirmed) this page; the TTL counts from here */
  fetchTime: string;
  /** the upstream's ETag, for a conditional revalidation */
  etag?: string;
}

export const versionKey = (project: string, version: string): string => `${project}/${version}`;

export const PYTHON_CONTENT: ContentSchema = {
  versions: {
    table: T.versions,
    parse(key) {
      const slash = key.indexOf('/');
      return slash > 0 ? { pkg: key.slice(0, slash), version: key.slice(slash + 1) } : undefined;
    },
  },
  tags: { table: T.tags, parse: () => undefined, versionOf: () => undefined },
};
