// Small HTTP helpers for OCI registry component tests (plain fetch; no client imitation).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type TestEmulator } from './emulator.js';

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
export const sha512 = (data: Uint8Array | string) => `sha512:${createHash('sha512').update(data).digest('hex')}`;

export interface OciErrors {
  errors: Array<{ code: string; message: string }>;
}

export class Registry {
  constructor(readonly base: string) {}

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(path.startsWith('http') ? path : `${this.base}${path}`, { redirect: 'manual', ...init });
  }

  /** POST ?digest= with the bytes: a monolithic upload. */
  async pushBlob(name: string, data: Uint8Array | string, digest = sha256(data)): Promise<string> {
    const res = await this.fetch(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (res.status !== 201) throw new Error(`pushBlob ${res.status} ${await res.text()}`);
    return digest;
  }

  /** POST to open a session; returns its Location. */
  async startUpload(name: string): Promise<string> {
    const res = await this.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    if (res.status !== 202) throw new Error(`startUpload ${res.status} ${await res.text()}`);
    return res.headers.get('location')!;
  }

  async putManifest(name: string, reference: string, manifest: unknown, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Response> {
    return this.fetch(`/v2/${name}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
    });
  }

  /** Pushes a config and one layer, and returns an OCI image manifest referencing them. */
  async imageManifest(name: string, layer: string = `layer-${Math.random()}`): Promise<Record<string, unknown>> {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const cd = await this.pushBlob(name, config);
    const ld = await this.pushBlob(name, layer);
    return {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: Buffer.byteLength(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: ld, size: Buffer.byteLength(layer) }],
    };
  }
}

export async function ociError(res: Response): Promise<string> {
  const body = (await res.json()) as OciErrors;
  return body.errors[0]!.code;
}

/**
 * Registers beforeAll/afterAll that start an emulator with the given Docker repositories and stop it;
 * the returned object is filled in once the suite starts.
 */
export function useRegistry(repositories: string[] = ['repo']): { emu: TestEmulator; reg: Registry } {
  const state = {} as { emu: TestEmulator; reg: Registry };
  beforeAll(async () => {
    state.emu = await startEmulator();
    for (const r of repositories) await state.emu.createRepository(r);
    state.reg = new Registry(state.emu.url);
  });
  afterAll(() => state.emu?.stop());
  return state;
}
