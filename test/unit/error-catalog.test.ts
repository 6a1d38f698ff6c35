// Meta-tests: every error code has a catalog entry, a docs line and a mapping in every renderer; every
// route has a component test named after its handler (../shared/STYLE.md §C, §E.7).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorError, ERRORS } from '../../emulator/core/errors.js';
import { createControlModule } from '../../emulator/control/index.js';
import { GOOGLE_HTTP_STATUS } from '../../emulator/control/errors.js';
import { OCI_ERRORS } from '../../emulator/formats/docker/errors.js';
import { builtinFormats } from '../../emulator/index.js';
import { MemoryMetaStore } from '../../emulator/storage/memory-meta-store.js';
import { renderErrorsDoc } from '../../scripts/errors-doc.js';

const OCI_CODES = new Set(['BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED',
  'TOOMANYREQUESTS', 'UNKNOWN', 'UNAVAILABLE']);

describe('error catalog', () => {
  it('maps every code in every renderer, and no renderer maps a code that does not exist', () => {
    expect(Object.keys(OCI_ERRORS).sort()).toEqual(Object.keys(ERRORS).sort());
    // Every registered format renders every code (its renderer must not throw on any of them).
    const stub = {} as never;
    for (const format of builtinFormats({ meta: new MemoryMetaStore(), blobs: stub, uploads: stub, events: { emit() {} } as never, clock: stub, defaultLocation: 'us-central1', dockerAuth: stub })) {
      for (const code of Object.keys(ERRORS) as (keyof typeof ERRORS)[]) {
        const ctx = { method: 'GET', path: '/', status: 0, set() {}, remove() {}, get: () => '', state: {} } as never;
        expect(() => format.renderError(new EmulatorError(code), ctx), `${format.id} ${code}`).not.toThrow();
      }
    }
    for (const spec of Object.values(ERRORS)) expect(GOOGLE_HTTP_STATUS[spec.googleStatus]).toBeTypeOf('number');
  });

  it("renders only codes of the OCI distribution spec (plus distribution's UNKNOWN/UNAVAILABLE for 5xx)", () => {
    for (const m of Object.values(OCI_ERRORS)) expect(OCI_CODES).toContain(m.code);
  });

  it('is documented in docs/ERRORS.md, generated from the catalog', async () => {
    expect(await readFile(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8')).toBe(renderErrorsDoc());
  });
});

describe('route coverage', () => {
  it('has a component test (a describe named after the handler) for every registry and control-plane route', async () => {
    const testText = (await collect(new URL('../../', import.meta.url).pathname, ['emulator', 'test'])).join('\n');
    const stub = {} as never;
    const modules = [
      ...builtinFormats({ meta: new MemoryMetaStore(), blobs: stub, uploads: stub, events: stub, clock: stub, defaultLocation: 'us-central1', dockerAuth: stub }),
      createControlModule(stub, stub),
    ];
    const missing = modules
      .flatMap((m) => m.routes.all)
      .filter((r) => !testText.includes(`describe('${r.handler.name}'`))
      .map((r) => `${r.name} (${r.handler.name})`);
    expect(missing).toEqual([]);
  });
});

async function collect(root: string, dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(await readFile(p, 'utf8'));
    }
  };
  for (const d of dirs) await walk(join(root, d));
  return out;
}
