// GET/HEAD and PUT of everything under /PROJECT/REPO/ (https://maven.apache.org/repository/layout.html): artifacts
// and poms are stored as deployed (checksums sent as X-Checksum-* headers or as FILE.sha1/.md5/.sha256/.sha512
// PUTs are verified, never stored), maven-metadata.xml and every checksum are generated on GET.
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../../core/errors.js';
import type { AppContext, Handler } from '../../../http/context.js';
import type { ExpectedDigest } from '../../../storage/ingest.js';
import type { HashAlgorithm } from '../../../storage/multi-hash.js';
import { checkMetadataBody } from '../metadata.js';
import { CHECKSUM_HEX, CHECKSUMS, checksumOfBody, parseMavenPath, type ChecksumKind, type MavenPath } from '../names.js';
import { checkOverwrite, checkVersionPolicy } from '../service/policy.js';
import type { MavenTarget } from '../service/packages.js';
import type { FileRecord } from '../service/tables.js';
import { refOf, type MavenDeps } from './deps.js';

const MAX_SMALL_BODY = 8 << 20;
const PENDING_MAX = 1000;
const HEADER_OF: Record<ChecksumKind, string> = { sha1: 'x-checksum-sha1', md5: 'x-checksum-md5', sha256: 'x-checksum-sha256', sha512: 'x-checksum-sha512' };

function contentTypeOf(name: string): string {
  if (name.endsWith('.pom') || name.endsWith('.xml')) return 'text/xml';
  if (name.endsWith('.jar') || name.endsWith('.war') || name.endsWith('.ear') || name.endsWith('.aar')) return 'application/java-archive';
  if (name.endsWith('.module')) return 'application/json';
  return 'application/octet-stream';
}

async function readSmall(ctx: AppContext, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      ctx.req.resume();
      throw new EmulatorError('RESOURCE_EXHAUSTED', `The request body is larger than ${limit} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function refuseNonStandardWrite(ctx: AppContext, t: MavenTarget): void {
  if (t.record.mode === 'STANDARD_REPOSITORY') return;
  ctx.req.resume();
  const kind = t.record.mode === 'REMOTE_REPOSITORY' ? 'remote' : 'virtual';
  throw new EmulatorError('UNSUPPORTED', `Repository "${t.ref.repository}" is a ${kind} repository: it is read-only (deploys are not allowed).`);
}

export function fileHandlers(d: MavenDeps): { getPath: Handler; putPath: Handler } {
  /** checksums PUT before their file (some clients), applied to the file's PUT: `REPOSITORY|PATH` → expected digests */
  const pending = new Map<string, ExpectedDigest[]>();

  const pushedEvent = (ctx: AppContext, t: MavenTarget, f: FileRecord) =>
    d.events.emit('artifact.pushed', {
      repository: t.repository, format: 'MAVEN', package: `${f.groupId}:${f.artifactId}`, version: f.version, kind: 'file', sizeBytes: f.size,
      action: `mvn deploy ${f.filename}`, ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
    });

  const getPath: Handler = async (ctx, params) => {
    const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
    const p = parseMavenPath(params.path ?? '');
    if (p.kind !== 'file') {
      const body = await d.reads.metadata(t, p);
      ctx.set('Cache-Control', 'no-cache');
      if (p.checksum) return sendChecksum(ctx, createHash(p.checksum).update(body).digest('hex'));
      ctx.type = 'text/xml';
      ctx.set('ETag', `"${createHash('sha1').update(body).digest('hex')}"`);
      ctx.body = body;
      return;
    }
    // download rules of the asked repository, before any cache or upstream read (docs/rules.md)
    d.downloadRules?.check({ repository: t.ref, package: `${p.groupId}:${p.artifactId}`, version: p.version });
    const { target, record } = await d.reads.file(t, p);
    if (p.checksum) return sendChecksum(ctx, record[p.checksum]);
    ctx.type = contentTypeOf(record.filename);
    ctx.set('ETag', `"${record.sha1}"`);
    ctx.set('Last-Modified', new Date(record.updateTime).toUTCString());
    ctx.length = record.size;
    ctx.body = await d.blobs.open(record.digest);
    if (ctx.method === 'GET') {
      d.events.emit('artifact.pulled', {
        repository: target.repository, format: 'MAVEN', package: `${record.groupId}:${record.artifactId}`, version: record.version, kind: 'file',
        sizeBytes: record.size, action: `mvn resolve ${record.filename}`, reference: record.path, ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
      });
    }
  };

  const putPath: Handler = async (ctx, params) => {
    let t: MavenTarget;
    let p: MavenPath;
    try {
      t = d.packages.target(refOf(params, ctx, d.defaultLocation));
      refuseNonStandardWrite(ctx, t);
      p = parseMavenPath(params.path ?? '');
      if (p.kind !== 'artifactMetadata') checkVersionPolicy(t.record, p.version);
    } catch (err) {
      ctx.req.resume();
      throw err;
    }
    if (p.kind !== 'file') {
      // metadata and its checksums: accepted, checked, not kept (what GET serves is generated)
      const body = await readSmall(ctx, MAX_SMALL_BODY);
      if (p.checksum) checksumOfBody(p.checksum, body.toString('utf8'));
      else checkMetadataBody(body);
      ctx.status = 201;
      return;
    }
    if (p.checksum) {
      const hex = checksumOfBody(p.checksum, (await readSmall(ctx, 4096)).toString('utf8'));
      const stored = d.packages.file(t, p.path);
      if (stored) {
        if (stored[p.checksum] !== hex) {
          throw new EmulatorError('DIGEST_MISMATCH', `Checksum mismatch for ${p.path}: the ${p.checksum} sent (${hex}) is not the ${p.checksum} of the stored file (${stored[p.checksum]}).`);
        }
      } else {
        if (pending.size >= PENDING_MAX) pending.delete(pending.keys().next().value!);
        pending.set(`${t.repository}|${p.path}`, [...(pending.get(`${t.repository}|${p.path}`) ?? []).filter((e) => e.algorithm !== p.checksum), { algorithm: p.checksum as HashAlgorithm, hex }]);
      }
      ctx.status = 201;
      return;
    }
    const existing = d.packages.file(t, p.path);
    if (existing) {
      try {
        // refused before the body is read (the same check runs again under the shard lock)
        checkOverwrite(t.record, p.version, p.path);
      } catch (err) {
        ctx.req.resume();
        throw err;
      }
    }
    const key = `${t.repository}|${p.path}`;
    const expected = [...(pending.get(key) ?? [])];
    for (const c of CHECKSUMS) {
      const h = ctx.get(HEADER_OF[c]).trim().toLowerCase();
      if (!h) continue;
      if (h.length !== CHECKSUM_HEX[c] || !/^[0-9a-f]+$/.test(h)) {
        ctx.req.resume();
        throw new EmulatorError('INVALID_ARGUMENT', `Invalid ${HEADER_OF[c]} header: expected ${CHECKSUM_HEX[c]} hex digits.`);
      }
      expected.push({ algorithm: c as HashAlgorithm, hex: h });
    }
    const length = ctx.get('content-length') ? Number(ctx.get('content-length')) : undefined;
    if (length !== undefined && length > d.maxFileBytes) {
      ctx.req.resume();
      throw new EmulatorError('RESOURCE_EXHAUSTED', `File too large: the limit is ${d.maxFileBytes} bytes.`);
    }
    const file = await d.ingest.ingest(ctx.req, { algorithms: ['sha1', 'md5', 'sha512'], expected, limit: { bytes: d.maxFileBytes, code: 'RESOURCE_EXHAUSTED' } }, async (blob) => {
      const now = ctx.state.clock.now().toISOString();
      return d.packages.addFile(t, {
        path: p.path, groupId: p.groupId, artifactId: p.artifactId, version: p.version, filename: p.filename, size: blob.size, digest: blob.digest,
        sha1: blob.digests.sha1!, md5: blob.digests.md5!, sha256: blob.digests.sha256!, sha512: blob.digests.sha512!, uploadTime: now, updateTime: now,
      });
    }).catch((err: unknown) => {
      if (err instanceof EmulatorError && err.code === 'DIGEST_MISMATCH') {
        pending.delete(key);
        throw new EmulatorError('DIGEST_MISMATCH', `Checksum mismatch for ${p.path}: the uploaded bytes do not match the checksum the client sent.`, err.detail);
      }
      throw err;
    });
    pending.delete(key);
    pushedEvent(ctx, t, file);
    ctx.status = 201;
  };

  return { getPath, putPath };
}

function sendChecksum(ctx: AppContext, hex: string): void {
  ctx.type = 'text/plain';
  ctx.body = hex;
}
