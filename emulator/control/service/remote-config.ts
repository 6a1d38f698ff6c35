// remoteRepositoryConfig of a REMOTE_REPOSITORY (spec ar-fidelity §1.3, §4.3): validated at create and kept as
// given (proto3 JSON names, enum names canonical), so a get returns exactly what was created. The formats in
// REMOTE_FORMATS are served; other formats are refused with UNSUPPORTED until their remote read paths exist.
import { EmulatorError } from '../../core/errors.js';
import { clip } from '../../core/names.js';
import { SECRET_VERSION } from '../../content/upstream.js';

const TOP = new Set(['description', 'upstreamCredentials', 'disableUpstreamValidation', 'dockerRepository', 'commonRepository',
  'mavenRepository', 'npmRepository', 'pythonRepository', 'aptRepository', 'yumRepository', 'goRepository']);
const SOURCES = ['dockerRepository', 'commonRepository', 'mavenRepository', 'npmRepository', 'pythonRepository', 'aptRepository', 'yumRepository', 'goRepository'];
/** formats whose remote repositories this emulator serves */
export const REMOTE_FORMATS = new Set(['DOCKER', 'NPM', 'PYTHON', 'MAVEN', 'GO', 'YUM', 'APT']);
/** the per-format upstream source field and its public preset (spec §1.3) */
const FORMAT_SOURCES: Record<string, { field: string; preset: string }> = {
  DOCKER: { field: 'dockerRepository', preset: 'DOCKER_HUB' },
  NPM: { field: 'npmRepository', preset: 'NPMJS' },
  PYTHON: { field: 'pythonRepository', preset: 'PYPI' },
  // [U] the public proto has no Go preset enum; GOPROXY names the Go module proxy whose URL AR_EMULATOR_GOPROXY_URL gives (docs/remote.md)
  GO: { field: 'goRepository', preset: 'GOPROXY' },
  MAVEN: { field: 'mavenRepository', preset: 'MAVEN_CENTRAL' },
};
/** Apt and Yum presets are objects: a repository base (whose URL the emulator's configuration gives) and a path below it */
const BASED_SOURCES: Record<string, { field: string; bases: readonly string[] }> = {
  APT: { field: 'aptRepository', bases: ['DEBIAN', 'UBUNTU', 'DEBIAN_SNAPSHOT'] },
  YUM: { field: 'yumRepository', bases: ['CENTOS', 'CENTOS_DEBUG', 'CENTOS_VAULT', 'CENTOS_STREAM', 'ROCKY', 'EPEL'] },
};
const REPOSITORY_PATH = /^[A-Za-z0-9._~+-]+(?:\/[A-Za-z0-9._~+-]+)*$/;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const bad = (field: string, why: string) => new EmulatorError('INVALID_ARGUMENT', `Invalid value at '${field}': ${why}`, { field });

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(field, 'must be an object');
  return v as Record<string, unknown>;
}

function only(o: Record<string, unknown>, keys: readonly string[], field: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${clip(k)}" at '${field}': Cannot find field.`, { field: `${field}.${k}` });
}

function uri(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v) throw bad(field, 'is required');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(field, `"${clip(v)}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw bad(field, `"${clip(v)}" must be an http or https URL`);
  return v;
}

/** The upstream source field a (stored or given) config sets, if exactly one. */
export function remoteSourceOf(config: Record<string, unknown>): string | undefined {
  const given = SOURCES.filter((s) => config[s] !== undefined);
  return given.length === 1 ? given[0] : undefined;
}

/** The stored config: checked, enum names upper-cased, nothing else changed. */
export function normalizeRemoteConfig(format: string, input: unknown): Record<string, unknown> {
  const f = 'repository.remote_repository_config';
  const rc = obj(input, f);
  only(rc, [...TOP], f);
  if (!REMOTE_FORMATS.has(format)) throw new EmulatorError('UNSUPPORTED', `Remote repositories of format ${format} are not supported by this emulator version yet.`);
  const out: Record<string, unknown> = {};
  if (rc.description !== undefined) {
    if (typeof rc.description !== 'string') throw bad(`${f}.description`, 'must be a string');
    out.description = rc.description;
  }
  if (rc.disableUpstreamValidation !== undefined) {
    if (typeof rc.disableUpstreamValidation !== 'boolean') throw bad(`${f}.disable_upstream_validation`, 'must be a boolean');
    out.disableUpstreamValidation = rc.disableUpstreamValidation;
  }
  if (rc.upstreamCredentials !== undefined) {
    const uc = obj(rc.upstreamCredentials, `${f}.upstream_credentials`);
    only(uc, ['usernamePasswordCredentials'], `${f}.upstream_credentials`);
    const cf = `${f}.upstream_credentials.username_password_credentials`;
    const up = obj(uc.usernamePasswordCredentials ?? {}, cf);
    only(up, ['username', 'passwordSecretVersion'], cf);
    if (up.username !== undefined && typeof up.username !== 'string') throw bad(`${cf}.username`, 'must be a string');
    if (up.passwordSecretVersion !== undefined && (typeof up.passwordSecretVersion !== 'string' || !SECRET_VERSION.test(up.passwordSecretVersion))) {
      throw bad(`${cf}.password_secret_version`, 'must be of the form projects/{project}/secrets/{secret}/versions/{version}');
    }
    out.upstreamCredentials = { usernamePasswordCredentials: { ...up } };
  }
  const given = SOURCES.filter((s) => rc[s] !== undefined);
  const formatField = FORMAT_SOURCES[format]?.field ?? BASED_SOURCES[format]?.field;
  if (given.length !== 1) throw bad(f, given.length ? `only one upstream source may be set, got ${given.join(', ')}` : `an upstream source is required (${formatField ? snake(formatField) : 'a format source'} or common_repository)`);
  const source = given[0]!;
  if (source === 'commonRepository') {
    const cr = obj(rc.commonRepository, `${f}.common_repository`);
    only(cr, ['uri'], `${f}.common_repository`);
    out.commonRepository = { uri: uri(cr.uri, `${f}.common_repository.uri`) };
  } else if (source === FORMAT_SOURCES[format]?.field) {
    const { field, preset } = FORMAT_SOURCES[format]!;
    const sf = `${f}.${snake(field)}`;
    const dr = obj(rc[field], sf);
    only(dr, ['publicRepository', 'customRepository'], sf);
    if (dr.publicRepository !== undefined && dr.customRepository !== undefined) throw bad(sf, 'set either public_repository or custom_repository, not both');
    if (dr.customRepository !== undefined) {
      const cr = obj(dr.customRepository, `${sf}.custom_repository`);
      only(cr, ['uri'], `${sf}.custom_repository`);
      out[field] = { customRepository: { uri: uri(cr.uri, `${sf}.custom_repository.uri`) } };
    } else {
      const pr = dr.publicRepository;
      if (pr !== preset && pr !== preset.toLowerCase() && pr !== 1) throw bad(`${sf}.public_repository`, `must be ${preset}`);
      out[field] = { publicRepository: preset };
    }
  } else if (source === BASED_SOURCES[format]?.field) {
    const { field, bases } = BASED_SOURCES[format]!;
    const sf = `${f}.${snake(field)}`;
    const dr = obj(rc[field], sf);
    only(dr, ['publicRepository', 'customRepository'], sf);
    if ((dr.publicRepository === undefined) === (dr.customRepository === undefined)) throw bad(sf, 'set either public_repository or custom_repository');
    if (dr.customRepository !== undefined) {
      const cr = obj(dr.customRepository, `${sf}.custom_repository`);
      only(cr, ['uri'], `${sf}.custom_repository`);
      out[field] = { customRepository: { uri: uri(cr.uri, `${sf}.custom_repository.uri`) } };
    } else {
      const pf = `${sf}.public_repository`;
      const pr = obj(dr.publicRepository, pf);
      only(pr, ['repositoryBase', 'repositoryPath'], pf);
      const base = typeof pr.repositoryBase === 'string' ? pr.repositoryBase.toUpperCase() : '';
      if (!bases.includes(base)) throw bad(`${pf}.repository_base`, `must be one of ${bases.join(', ')}`);
      if (typeof pr.repositoryPath !== 'string' || !REPOSITORY_PATH.test(pr.repositoryPath) || pr.repositoryPath.split('/').some((s) => s === '.' || s === '..')) {
        throw bad(`${pf}.repository_path`, 'must be a relative path below the repository base, like debian/dists/bookworm');
      }
      out[field] = { publicRepository: { repositoryBase: base, repositoryPath: pr.repositoryPath } };
    }
  } else {
    throw bad(`${f}.${source}`, `does not match the repository format ${format}`);
  }
  return out;
}
