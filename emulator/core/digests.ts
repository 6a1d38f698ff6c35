// Content digests (OCI image-spec "Digests"): parsing and validation of `algorithm:encoded`.
// https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
import { createHash } from 'node:crypto';
import { EmulatorError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';
export const DIGEST_ALGORITHMS: Record<DigestAlgorithm, { hexLength: number }> = {
  sha256: { hexLength: 64 },
  sha512: { hexLength: 128 },
};

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** canonical `algorithm:hex` */
  value: string;
}

// The grammar of image-spec: algorithm-component ([+._-] algorithm-component)* ":" encoded
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isDigestLike(value: string): boolean {
  return value.includes(':');
}

/** Parses a digest; throws DIGEST_INVALID for malformed ones and for algorithms other than sha256/sha512. */
export function parseDigest(value: string): ParsedDigest {
  if (value.length > 200 || !DIGEST_GRAMMAR.test(value)) {
    throw new EmulatorError('DIGEST_INVALID', `invalid digest "${truncate(value)}"`);
  }
  const idx = value.indexOf(':');
  const algorithm = value.slice(0, idx);
  const hex = value.slice(idx + 1);
  if (!(algorithm in DIGEST_ALGORITHMS)) {
    throw new EmulatorError('DIGEST_INVALID', `unsupported digest algorithm "${truncate(algorithm)}" (supported: sha256, sha512)`);
  }
  const alg = algorithm as DigestAlgorithm;
  if (hex.length !== DIGEST_ALGORITHMS[alg].hexLength || !/^[a-f0-9]+$/.test(hex)) {
    throw new EmulatorError('DIGEST_INVALID', `invalid ${alg} digest "${truncate(value)}"`);
  }
  return { algorithm: alg, hex, value };
}

export function tryParseDigest(value: string): ParsedDigest | undefined {
  try {
    return parseDigest(value);
  } catch {
    return undefined;
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** `algorithm:hex` of a buffer. */
export function digestOf(data: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
