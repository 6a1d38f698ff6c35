// A real PEP 503 index that is not this emulator, for Python remote-repository tests: a directory laid out per PEP
// 503 (`simple/NAME/index.html` with `#sha256=` fragments, data-requires-python and, for wheels, PEP 658
// `.metadata` files and data-dist-info-metadata) served by `python3 -m http.server` on 127.0.0.1. Every request
// the server logs is counted, so tests assert "no upstream request", never timings. Only the pid spawned here is
// ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { storedZip } from '../../support/clients/python.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Reads a wheel's `*.dist-info/METADATA` with python3's zipfile (the test machine has it). */
async function wheelMetadata(python: string, wheel: string): Promise<Buffer> {
  const child = spawn(python, ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); n=[x for x in z.namelist() if x.endswith(".dist-info/METADATA")][0]; sys.stdout.buffer.write(z.read(n))', wheel]);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`cannot read the METADATA of ${wheel}`);
  return Buffer.concat(chunks);
}

export class StaticIndex {
  private child: ChildProcess | undefined;
  private log = '';
  /** request lines the server logged (`GET /simple/x/ HTTP/1.1" 200`) */
  readonly requests: string[] = [];
  url = '';
  private readonly projects = new Map<string, Array<{ file: string; requiresPython?: string; metadata?: string; yanked?: string }>>();

  constructor(
    readonly root: string,
    private readonly python: string,
  ) {}

  /** Adds distribution files to project `name` (normalized) and rewrites its page. */
  async add(name: string, files: string[], opts: { requiresPython?: string; yanked?: string } = {}): Promise<void> {
    const dir = join(this.root, 'files', name);
    await mkdir(dir, { recursive: true });
    const list = this.projects.get(name) ?? [];
    for (const f of files) {
      await copyFile(f, join(dir, basename(f)));
      let metadata: string | undefined;
      if (f.endsWith('.whl')) {
        const meta = await wheelMetadata(this.python, f);
        await writeFile(join(dir, `${basename(f)}.metadata`), meta);
        metadata = sha256(meta);
      }
      list.push({ file: basename(f), ...(opts.requiresPython ? { requiresPython: opts.requiresPython } : {}), ...(metadata ? { metadata } : {}), ...(opts.yanked !== undefined ? { yanked: opts.yanked } : {}) });
    }
    this.projects.set(name, list);
    await this.writePage(name);
  }

  /** A tiny wheel built without setuptools (for pages with many projects). */
  static tinyWheel(name: string, version: string): Buffer {
    const mod = name.replace(/-/g, '_');
    return storedZip({ [`${mod}/__init__.py`]: `VALUE = ${JSON.stringify(version)}\n`, [`${mod}-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`, [`${mod}-${version}.dist-info/WHEEL`]: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\n', [`${mod}-${version}.dist-info/RECORD`]: '' });
  }

  private async writePage(name: string): Promise<void> {
    const dir = join(this.root, 'simple', name);
    await mkdir(dir, { recursive: true });
    const links: string[] = [];
    for (const f of this.projects.get(name) ?? []) {
      const data = await readFile(join(this.root, 'files', name, f.file));
      const attrs = [`href="../../files/${name}/${encodeURIComponent(f.file)}#sha256=${sha256(data)}"`];
      if (f.requiresPython) attrs.push(`data-requires-python="${escape(f.requiresPython)}"`);
      if (f.metadata) attrs.push(`data-dist-info-metadata="sha256=${f.metadata}"`);
      if (f.yanked !== undefined) attrs.push(`data-yanked="${escape(f.yanked)}"`);
      links.push(`<a ${attrs.join(' ')}>${f.file}</a><br/>`);
    }
    await writeFile(join(dir, 'index.html'), `<!DOCTYPE html>\n<html><body><h1>Links for ${name}</h1>\n${links.join('\n')}\n</body></html>\n`);
    const index = [...this.projects.keys()].sort().map((p) => `<a href="${p}/">${p}</a><br/>`).join('\n');
    await writeFile(join(this.root, 'simple', 'index.html'), `<!DOCTYPE html>\n<html><body>\n${index}\n</body></html>\n`);
  }

  /** Starts `python3 -m http.server` (port 0, or the port it had before, so a remote's URI stays valid). */
  async start(): Promise<this> {
    const port = this.url ? new URL(this.url).port : '0';
    await mkdir(this.root, { recursive: true });
    const child = spawn(this.python, ['-u', '-m', 'http.server', port, '--bind', '127.0.0.1', '--directory', this.root], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.log = '';
    const started = new Promise<string>((resolve, reject) => {
      const onData = (c: Buffer) => {
        this.log += c.toString();
        const m = /Serving HTTP on 127\.0\.0\.1 port (\d+)/.exec(this.log);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => {
        for (const line of c.toString().split('\n')) {
          const m = /"((?:GET|HEAD) [^"]+)" (\d{3})/.exec(line);
          if (m) this.requests.push(`${m[1]} ${m[2]}`);
        }
        onData(Buffer.alloc(0));
      });
      child.on('exit', (code) => reject(new Error(`http.server exited (${code}): ${this.log}`)));
    });
    const p = await started;
    this.url = `http://127.0.0.1:${p}`;
    return this;
  }

  count(fragment: string): number {
    return this.requests.filter((r) => r.includes(fragment)).length;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}
