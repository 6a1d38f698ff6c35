// The identifiers of a generic artifact (spec ar-fidelity §1.6, UploadGenericArtifactRequest): a filename of
// `[a-zA-Z0-9-_.~@]` (in `/`-separated folders, as gcloud sends them), a package id and a version id that start and
// end alphanumeric. None may contain `:` (the file id is `PACKAGE:VERSION:FILENAME`); they are never file paths
// (the bytes are content-addressed blobs), and no `..` or empty folder is accepted all the same.
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';

/** [C] googleapis.dev UploadGenericArtifactRequest: ≤256 characters. */
export const MAX_PACKAGE_ID = 256;
/** [C] ≤128 characters. */
export const MAX_VERSION_ID = 128;
/** [U] the filename's length is not documented; 1024 (a GCS object name's limit) is taken. */
export const MAX_FILENAME = 1024;

const PACKAGE_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;
/** [C] lower-case letters, digits, `-` and `.`; starts and ends alphanumeric. */
const VERSION_RE = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const FILENAME_RE = /^[a-zA-Z0-9._~@-]+$/;

export interface GenericIds {
  packageId: string;
  versionId: string;
  filename: string;
}

const bad = (field: string, message: string) => new EmulatorError('INVALID_ARGUMENT', message, { field });

/** The three ids of an upload's metadata, checked; INVALID_ARGUMENT naming the field otherwise. */
export function parseGenericIds(m: Record<string, unknown>): GenericIds {
  const str = (field: string) => {
    const v = m[field];
    if (v === undefined || v === '') throw bad(field, `${field} is required.`);
    if (typeof v !== 'string') throw bad(field, `${field} must be a string.`);
    return v;
  };
  const packageId = str('packageId');
  const versionId = str('versionId');
  const filename = str('filename');
  if (packageId.length > MAX_PACKAGE_ID || !PACKAGE_RE.test(packageId)) {
    throw bad('packageId', `Invalid package id "${clip(packageId)}": it must start and end with a letter or digit, contain only letters, digits, "-", "_" and ".", and be at most ${MAX_PACKAGE_ID} characters.`);
  }
  if (versionId.length > MAX_VERSION_ID || !VERSION_RE.test(versionId)) {
    throw bad('versionId', `Invalid version id "${clip(versionId)}": it must start and end with a lower-case letter or digit, contain only lower-case letters, digits, "-" and ".", and be at most ${MAX_VERSION_ID} characters.`);
  }
  if (versionId === 'latest') throw bad('versionId', 'The version id "latest" is reserved.');
  // gcloud's --destination-path and --source-directory send folder structure as `/` in the filename
  // (gsdk surface/artifacts/generic/upload.py): each segment follows the filename rule, none is empty, `.` or `..`.
  const segments = filename.split('/');
  if (filename.length > MAX_FILENAME || segments.some((x) => !FILENAME_RE.test(x) || x === '.' || x === '..')) {
    throw bad('filename', `Invalid filename "${clip(filename)}": each "/"-separated part may contain only letters, digits and "-", "_", ".", "~", "@" (not "." or ".." alone, none empty), and the whole at most ${MAX_FILENAME} characters.`);
  }
  return { packageId, versionId, filename };
}

export const fileId = (ids: GenericIds) => `${ids.packageId}:${ids.versionId}:${ids.filename}`;
