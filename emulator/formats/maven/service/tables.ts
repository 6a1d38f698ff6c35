// The Maven format's tables in a repository shard: artifacts (`GROUP:ARTIFACT`, the control plane's packages),
// versions (`GROUP:ARTIFACT:VERSION`, each listing its file names in upload order) and files by repository path.
// Checksum files and maven-metadata.xml are never stored: both are generated from these (docs/formats/maven.md).

export const T = {
  artifacts: 'maven.artifacts',
  versions: 'maven.versions',
  files: 'maven.files',
  /** remote repositories: the upstream's maven-metadata.xml by path (the bytes are a blob), revalidated after the TTL */
  metadata: 'maven.remote.metadata',
} as const;

export interface ArtifactRecord {
  groupId: string;
  artifactId: string;
  createTime: string;
  updateTime: string;
}

export interface VersionRecord {
  groupId: string;
  artifactId: string;
  version: string;
  /** file names in the version's directory, in upload order */
  files: string[];
  createTime: string;
  updateTime: string;
}

export interface FileRecord {
  /** the repository path, `com/example/lib/1.0/lib-1.0.jar` */
  path: string;
  groupId: string;
  artifactId: string;
  version: string;
  filename: string;
  size: number;
  /** content address, `sha256:<hex>` */
  digest: string;
  sha1: string;
  md5: string;
  sha256: string;
  sha512: string;
  uploadTime: string;
  updateTime: string;
  /** remote repositories: when the file was taken from the upstream */
  fetchTime?: string;
}

export interface CachedMetadataRecord {
  digest: string;
  size: number;
  fetchTime: string;
}

export const packageKey = (groupId: string, artifactId: string): string => `${groupId}:${artifactId}`;
export const versionKey = (groupId: string, artifactId: string, version: string): string => `${groupId}:${artifactId}:${version}`;
