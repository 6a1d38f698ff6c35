// What an image's layers hold that a scan can match (issue 13): the OS (from /etc/os-release) and the packages
// installed, each with where it was found. The extractor (./index.ts) reads layers as streams, in order, applying
// whiteouts, and never holds a layer in memory; the scan pipeline (../scanner.ts) matches the items against the
// advisory database.
import type { Readable } from 'node:stream';
import type { InventoryItem } from '../match.js';

/** One layer of an image, bottom first: its blob digest, media type (tar, tar+gzip, tar+zstd) and a way to read it. */
export interface LayerSource {
  digest: string;
  mediaType: string;
  size: number;
  open(): Promise<Readable>;
}

/** Grafeas' package types (spec §6.3 packageIssue[].packageType). */
export type PackageType = 'OS' | 'NPM' | 'PYPI' | 'MAVEN' | 'GO';

export interface InventoryPackage extends InventoryItem {
  packageType: PackageType;
  /** the file that says it is installed (`/var/lib/dpkg/status`, `/app/package-lock.json`, a jar's path) */
  filePath: string;
}

export interface ImageInventory {
  /** from /etc/os-release (or /usr/lib/os-release): `ID` and `VERSION_ID` */
  os?: { id: string; versionId?: string; prettyName?: string };
  packages: InventoryPackage[];
  /** what the extractor skipped and why (a corrupt rpm database, a jar over the size limit), for the DISCOVERY occurrence */
  warnings: string[];
}

/** Limits against decompression bombs and hostile archives; a layer over them fails the scan with the reason. */
export interface ExtractLimits {
  /** uncompressed bytes read per layer (default 8 GiB) */
  maxLayerBytes: number;
  /** entries per layer (default 1,000,000) */
  maxEntries: number;
  /** bytes kept in memory of one interesting file (a dpkg status, a package-lock.json, an rpm database; default 64 MiB) */
  maxFileBytes: number;
  /** packages reported per image (default 100,000) */
  maxPackages: number;
}

/** The scan could not read the image: why, for the DISCOVERY occurrence's analysisError and the feed. */
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryError';
  }
}

export type ExtractInventory = (layers: readonly LayerSource[], limits?: Partial<ExtractLimits>) => Promise<ImageInventory>;
