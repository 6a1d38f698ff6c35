// The legacy upload API twine uses (https://docs.pypi.org/api/upload/): POST /PROJECT/REPO/ with a
// multipart form. Fields are checked before the file streams into the blob store; digests the client sent
// are verified in the same pass; a wheel's METADATA is stored as its own blob (PEP 658). Warehouse's texts.
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { EmulatorError } from '../../../core/errors.js';
import type { Handler } from '../../../http/context.js';
import type { ExpectedDigest } from '../../../storage/ingest.js';
import { checkFilename, invalidField, isValidProjectName, normalizeName, normalizeVersion, pep440, requiresPythonOf } from '../names.js';
import { readWheelMetadata } from '../service/core-metadata.js';
import { fileExists, type PythonTarget } from '../service/packages.js';
import { refuseNonStandardWrite } from '../service/remote.js';
import type { FileRecord } from '../service/tables.js';
import { refOf, type PythonDeps } from './deps.js';
import type { FormFields } from './multipart.js';
import { readUploadForm } from './multipart.js';

const NAME_RULE = "Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'.";
const DIGEST_FIELDS = [
  { field: 'sha256_digest', algorithm: 'sha256', hexLength: 64, label: 'SHA256' },
  { field: 'md5_digest', algorithm: 'md5', hexLength: 32, label: 'MD5' },
  { field: 'blake2_256_digest', algorithm: 'blake2b-256', hexLength: 64, label: 'BLAKE2' },
] as const;

interface UploadForm {
  name: string;
  project: string;
  version: string;
  filetype: string;
  expected: ExpectedDigest[];
  requiresPython?: string;
  summary?: string;
}

const one = (fields: FormFields, name: string): string | undefined => fields.get(name)?.[0];

/** The form's fields, checked as warehouse checks them (forklift/legacy.py, forklift/metadata.py). */
export function checkUploadForm(fields: FormFields): UploadForm {
  const action = one(fields, ':action');
  if (action !== 'file_upload') throw new EmulatorError('INVALID_ARGUMENT', `Invalid upload: ':action' must be 'file_upload', not '${(action ?? '').slice(0, 40)}'.`);
  const name = one(fields, 'name') ?? '';
  if (!isValidProjectName(name)) throw invalidField('Name', name, NAME_RULE);
  const rawVersion = one(fields, 'version') ?? '';
  const version = normalizeVersion(rawVersion);
  if (version === undefined) throw invalidField('Version', rawVersion, 'Use a valid PEP 440 version (https://peps.python.org/pep-0440/).');
  const filetype = one(fields, 'filetype') ?? '';
  if (filetype !== 'bdist_wheel' && filetype !== 'sdist') throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for filetype. Error: Use a known file type.');
  const expected: ExpectedDigest[] = [];
  for (const d of DIGEST_FIELDS) {
    const hex = one(fields, d.field);
    if (hex === undefined || hex === '') continue;
    if (hex.length !== d.hexLength || !/^[0-9a-f]+$/i.test(hex)) {
      throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for ${d.field}. Error: Use a valid, hex-encoded, ${d.label} message digest.`);
    }
    expected.push({ algorithm: d.algorithm, hex: hex.toLowerCase() });
  }
  const requiresPython = one(fields, 'requires_python')?.trim() || undefined;
  if (requiresPython !== undefined && (requiresPython.length > 200 || !pep440().validRange(requiresPython))) {
    throw invalidField('Requires-Python', requiresPython, 'Invalid specifier in requirement.');
  }
  const summary = one(fields, 'summary')?.slice(0, 512) || undefined;
  return { name, project: normalizeName(name), version, filetype, expected, ...(requiresPython ? { requiresPython } : {}), ...(summary ? { summary } : {}) };
}

export function uploadHandlers(d: PythonDeps): { uploadFile: Handler } {
  const uploadFile: Handler = async (ctx, params) => {
    const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
    try {
      refuseNonStandardWrite(t);
    } catch (err) {
      ctx.req.resume(); // read the body, so twine gets the answer instead of a reset
      throw err;
    }
    if (!ctx.is('multipart/form-data')) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid upload: expected a multipart/form-data body (twine upload).');
    const length = Number(ctx.get('content-length') || 0);
    if (length > d.maxFileBytes + (2 << 20)) throw tooLarge(d.maxFileBytes, '');
    const file = await readUploadForm(ctx.req, ctx.req.headers, (fields, content, filename) => storeUpload(d, t, fields, content, filename));
    d.events.emit('artifact.pushed', {
      repository: t.repository, format: 'PYTHON', package: file.project, version: file.version, kind: 'file',
      sizeBytes: file.size, action: `twine upload ${file.filename}`, ...(ctx.state.principal ? { principal: ctx.state.principal } : {}),
    });
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = 'OK\n';
  };

  return { uploadFile };
}

/**
 * Stores one distribution file of an upload form (twine's fields) after warehouse's checks: the upload handler's
 * path and the config file's preload (docs/config.md). A taken file name is ALREADY_EXISTS.
 */
export async function storeUpload(d: PythonDeps, t: PythonTarget, fields: FormFields, content: Readable, filename: string): Promise<FileRecord> {
  const form = checkUploadForm(fields);
  const parsed = checkFilename(filename, { name: form.name, version: form.version, filetype: form.filetype });
  const taken = d.packages.file(t, filename);
  if (taken) throw fileExists(taken);
  try {
    return await d.ingest.ingest(content, { algorithms: ['md5', 'blake2b-256'], expected: form.expected, limit: { bytes: d.maxFileBytes, code: 'RESOURCE_EXHAUSTED' } }, async (blob) => {
      const now = d.clock.now().toISOString();
      const record: FileRecord = {
        filename, project: form.project, version: form.version, filetype: parsed.filetype, size: blob.size, digest: blob.digest,
        sha256: blob.digests.sha256!, md5: blob.digests.md5!, blake2_256: blob.digests['blake2b-256']!,
        ...(form.requiresPython ? { requiresPython: form.requiresPython } : {}), uploadTime: now,
      };
      if (parsed.filetype !== 'bdist_wheel') {
        await d.packages.addFile(t, record, form.name, form.summary);
        return record;
      }
      const metadata = await readWheelMetadata(d.blobs, blob.digest, blob.size, filename, form.project);
      const sha256 = createHash('sha256').update(metadata).digest('hex');
      const digest = `sha256:${sha256}`;
      record.metadata = { digest, sha256, size: metadata.length };
      const requiresPython = form.requiresPython ?? requiresPythonOf(metadata.toString('utf8'));
      if (requiresPython && pep440().validRange(requiresPython)) record.requiresPython = requiresPython;
      await d.blobs.hold([digest], async () => {
        await d.blobs.put(metadata, digest);
        await d.packages.addFile(t, record, form.name, form.summary);
      });
      return record;
    });
  } catch (err) {
    if (err instanceof EmulatorError && err.code === 'DIGEST_MISMATCH') {
      throw new EmulatorError('DIGEST_MISMATCH', 'The digest supplied does not match a digest calculated from the uploaded file.', err.detail);
    }
    if (err instanceof EmulatorError && err.code === 'RESOURCE_EXHAUSTED') throw tooLarge(d.maxFileBytes, form.name);
    throw err;
  }
}

function tooLarge(limit: number, name: string): EmulatorError {
  const size = limit >= 1 << 20 ? `${Math.floor(limit / (1 << 20))} MB` : `${limit} bytes`;
  const whose = name ? `for project '${name}' ` : '';
  return new EmulatorError('RESOURCE_EXHAUSTED', `File too large. Limit ${whose}is ${size}. See https://pypi.org/help/#file-size-limit for more information.`);
}
