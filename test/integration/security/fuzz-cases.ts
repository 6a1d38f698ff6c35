// Inputs of the fuzz pass (fuzz.test.ts): malformed percent-encodings placed in every path segment and query
// value of every route family, and malformed JSON bodies and shapes for every route that takes a body. All
// generated from a seed, so a run is repeatable and bounded.
import { seededRandom, type SeededRandom } from '../../support/seeded-random.js';

/** Percent-encodings a decoder must refuse or treat as opaque: truncated, non-hex, truncated and overlong UTF-8, NUL, encoded traversal. */
export const BAD_ENCODINGS = ['%', '%zz', '%E0%A4%A', '%00', '%C0%AF', '%2e%2e%2f', '%2F', '%25', '%25zz', '%25E0%25A4%25A', '%ff', '%u0041', '..'] as const;

export type Dialect = 'oci' | 'google' | 'plain' | 'oauth';

/** The error dialect a path answers in (who renders errors is decided by the path prefix, STYLE §C). */
export function dialectOf(path: string): Dialect {
  if (path.startsWith('/v2')) return 'oci';
  // the OAuth 2.0 token endpoint answers in RFC 6749 §5.2 form: {error, error_description}
  if (path === '/token' || path.startsWith('/token?')) return 'oauth';
  if (path.startsWith('/ui') || path.startsWith('/_emulator/info')) return 'plain';
  return 'google';
}

/** The seeded state routes point into (created before fuzzing). */
export interface Seed {
  project: string;
  location: string;
  repository: string;
  image: string;
  tag: string;
  manifestDigest: string;
  layerDigest: string;
  /** the repository's file id (a blob digest) */
  file: string;
  serviceAccount: string;
}

export interface PathCase {
  method: string;
  /** the request path with query */
  path: string;
  /** which template and which part was fuzzed, for failure messages */
  label: string;
}

/**
 * Route templates: `{x}` is a path segment and `?k={x}` a query value, each filled with the seed's valid value
 * and then, one at a time, with a malformed one. Every route of every family appears here.
 */
export function pathTemplates(s: Seed): Array<{ method: string; template: string; values: Record<string, string> }> {
  const v = {
    project: s.project, location: s.location, repository: s.repository, image: s.image, tag: s.tag,
    digest: s.manifestDigest, layer: s.layerDigest, file: s.file, uuid: '0f9a3c1e-1111-4222-8333-444455556666',
    account: s.serviceAccount, group: 'fuzz-group', operation: 'op-1', n: '10', last: 'a', q: 'x',
  };
  const R = '/v1/projects/{project}/locations/{location}/repositories/{repository}';
  const P = `${R}/packages/{image}`;
  const N = '{project}/{repository}/{image}';
  const t = (method: string, template: string) => ({ method, template, values: v });
  return [
    // registry /v2/
    t('GET', '/v2/?q={q}'),
    t('GET', '/v2/_catalog?n={n}&last={last}'),
    t('GET', '/v2/token?scope={q}&service={q}&account={q}'),
    t('GET', `/v2/${N}/tags/list?n={n}&last={last}`),
    t('HEAD', `/v2/${N}/manifests/{tag}`),
    t('GET', `/v2/${N}/manifests/{tag}`),
    t('GET', `/v2/${N}/manifests/{digest}`),
    t('DELETE', `/v2/${N}/manifests/{uuid}`),
    t('HEAD', `/v2/${N}/blobs/{layer}`),
    t('GET', `/v2/${N}/blobs/{layer}`),
    t('DELETE', `/v2/${N}/blobs/{uuid}`),
    t('POST', `/v2/${N}/blobs/uploads/?mount={layer}&from={project}/{repository}/{image}`),
    t('POST', `/v2/${N}/blobs/uploads/?digest={q}`),
    t('GET', `/v2/${N}/blobs/uploads/{uuid}`),
    t('PATCH', `/v2/${N}/blobs/uploads/{uuid}`),
    t('PUT', `/v2/${N}/blobs/uploads/{uuid}?digest={layer}`),
    t('DELETE', `/v2/${N}/blobs/uploads/{uuid}`),
    t('GET', `/v2/${N}/referrers/{digest}?artifactType={q}`),
    // REST /v1/
    t('GET', '/v1/projects/{project}/locations?pageSize={n}&pageToken={q}'),
    t('GET', '/v1/projects/{project}/locations/{location}'),
    t('GET', '/v1/projects/{project}/locations/{location}/operations/{operation}'),
    t('GET', '/v1/projects/{project}/locations/{location}/repositories?pageSize={n}&pageToken={q}&filter={q}&orderBy={q}'),
    t('GET', R),
    t('DELETE', `/v1/projects/{project}/locations/{location}/repositories/{uuid}`),
    t('GET', `${R}:getIamPolicy?options.requestedPolicyVersion={n}`),
    t('GET', `${R}/packages?pageSize={n}&pageToken={q}&filter={q}&orderBy={q}`),
    t('GET', P),
    t('DELETE', `${R}/packages/{uuid}`),
    t('GET', `${P}/versions?view={q}&pageSize={n}&pageToken={q}&filter={q}&orderBy={q}`),
    t('GET', `${P}/versions/{digest}?view={q}`),
    t('DELETE', `${P}/versions/{uuid}?force={q}`),
    t('GET', `${P}/tags?pageSize={n}&pageToken={q}&filter={q}`),
    t('GET', `${P}/tags/{tag}`),
    t('DELETE', `${P}/tags/{uuid}`),
    t('GET', `${R}/files?pageSize={n}&pageToken={q}&filter={q}&orderBy={q}`),
    t('GET', `${R}/files/{file}`),
    t('GET', `${R}/files/{file}:download?alt={q}`),
    t('DELETE', `${R}/files/{uuid}`),
    t('GET', `${R}/dockerImages?pageSize={n}&pageToken={q}&orderBy={q}`),
    t('GET', `${R}/dockerImages/{image}@{digest}`),
    t('GET', '/v1/projects/{project}/projectSettings'),
    t('GET', '/v1/projects/{project}/serviceAccounts'),
    t('POST', '/v1/projects/{project}:getIamPolicy'),
    // the emulator's own API and the dashboard
    t('GET', '/_emulator/health?q={q}'),
    t('GET', '/_emulator/events?replay={n}&types={q}&after={n}'),
    t('GET', '/_emulator/info?q={q}'),
    // policy administration (issue 11): the virtual clock, cleanup and garbage collection on demand
    t('GET', '/_emulator/clock?q={q}'),
    t('POST', '/_emulator/clock?q={q}'),
    t('POST', '/_emulator/cleanup:run?q={q}'),
    t('POST', '/_emulator/gc?q={q}'),
    // upstream faults and offline mode (issue 12)
    t('GET', '/_emulator/faults?q={q}'),
    t('DELETE', '/_emulator/faults?repository={q}'),
    t('DELETE', '/_emulator/faults?repository=projects/{project}/locations/{location}/repositories/{repository}'),
    t('GET', '/_emulator/offline?q={q}'),
    t('GET', '/_emulator/cleanup/last?repository=projects/{project}/locations/{location}/repositories/{repository}'),
    t('GET', '/_emulator/warnings?repository=projects/{project}/locations/{location}/repositories/{repository}'),
    t('GET', '/_emulator/settings/{q}?repository={repository}'),
    t('GET', '/_emulator/{q}'),
    t('GET', '/{q}'),
    t('GET', '/ui/?q={q}'),
    t('GET', '/ui/{q}'),
    t('GET', '/ui/{q}/{q}.js'),
  ];
}

/** Every template with each placeholder occurrence replaced, one at a time, by each bad encoding (embedded as the seed decides). */
export function pathCases(s: Seed, seed: number): PathCase[] {
  const random = seededRandom(seed);
  const cases: PathCase[] = [];
  for (const { method, template, values } of pathTemplates(s)) {
    const slots = [...template.matchAll(/\{([a-z]+)\}/g)];
    slots.forEach((slot, index) => {
      for (const bad of BAD_ENCODINGS) {
        let i = 0;
        const path = template.replace(/\{([a-z]+)\}/g, (_all, key: string) => {
          const valid = values[key] ?? '';
          return i++ === index ? embed(valid, bad, random) : valid;
        });
        cases.push({ method, path, label: `${method} ${template} [${slot[1]} #${index}] ${bad}` });
      }
    });
  }
  return cases;
}

function embed(valid: string, bad: string, random: SeededRandom): string {
  switch (random.int(0, 3)) {
    case 0:
      return bad;
    case 1:
      return `${valid}${bad}`;
    case 2:
      return `${bad}${valid}`;
    default: {
      const at = random.int(0, valid.length);
      return `${valid.slice(0, at)}${bad}${valid.slice(at)}`;
    }
  }
}

export interface BodyRoute {
  method: string;
  /** the path for case `n` (creating routes name a fresh resource per case) */
  path: (n: number) => string;
  /** a valid body, mutated field by field */
  body: unknown;
  /** what a rejected request must not have changed: GET (or POST for :getIamPolicy) and compare */
  state?: (n: number) => { method: string; path: string };
  /** `form` routes take application/x-www-form-urlencoded; JSON shapes are still malformed input for them */
  contentType?: string;
}

export function bodyRoutes(s: Seed): BodyRoute[] {
  const L = `/v1/projects/${s.project}/locations/${s.location}`;
  const R = `${L}/repositories/${s.repository}`;
  const P = `${R}/packages/${s.image}`;
  const versionName = `${P.slice(4)}/versions/${s.manifestDigest}`;
  const get = (path: string) => () => ({ method: 'GET', path });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: s.layerDigest, size: 1 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: s.layerDigest, size: 1 }],
    annotations: { a: 'b' },
  };
  return [
    { method: 'POST', path: (n) => `${L}/repositories?repositoryId=fuzz-c${n}`, body: { format: 'DOCKER', description: 'd', labels: { k: 'v' }, dockerConfig: { immutableTags: false } }, state: (n) => ({ method: 'GET', path: `${L}/repositories/fuzz-c${n}` }) },
    { method: 'PATCH', path: () => `${R}?updateMask=description,labels`, body: { description: 'd', labels: { k: 'v' } }, state: get(R) },
    { method: 'PATCH', path: () => `${P}?updateMask=annotations`, body: { annotations: { a: 'b' } }, state: get(P) },
    { method: 'PATCH', path: () => `${P}/versions/${s.manifestDigest}?updateMask=annotations`, body: { annotations: { a: 'b' } }, state: get(`${P}/versions/${s.manifestDigest}`) },
    { method: 'POST', path: () => `${P}/versions:batchDelete`, body: { names: [`${P.slice(4)}/versions/sha256:${'0'.repeat(64)}`], validateOnly: true }, state: get(`${P}/versions/${s.manifestDigest}`) },
    { method: 'POST', path: (n) => `${P}/tags?tagId=fuzz-t${n}`, body: { version: versionName }, state: (n) => ({ method: 'GET', path: `${P}/tags/fuzz-t${n}` }) },
    { method: 'PATCH', path: () => `${P}/tags/${s.tag}?updateMask=version`, body: { version: versionName }, state: get(`${P}/tags/${s.tag}`) },
    { method: 'PATCH', path: () => `${R}/files/${s.file}?updateMask=annotations`, body: { annotations: { a: 'b' } }, state: get(`${R}/files/${s.file}`) },
    {
      method: 'POST', path: () => `${R}:setIamPolicy`,
      body: { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['user:fuzz@example.com'] }], etag: '' }, updateMask: 'bindings' },
      state: get(`${R}:getIamPolicy`),
    },
    { method: 'POST', path: () => `${R}:testIamPermissions`, body: { permissions: ['artifactregistry.repositories.get'] } },
    { method: 'PATCH', path: () => `/v1/projects/${s.project}/projectSettings?updateMask=legacyRedirectionState`, body: { legacyRedirectionState: 'REDIRECTION_FROM_GCR_IO_DISABLED' }, state: get(`/v1/projects/${s.project}/projectSettings`) },
    {
      method: 'POST', path: () => `/v1/projects/${s.project}:setIamPolicy`,
      body: { policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['user:fuzz@example.com'] }] } },
      state: () => ({ method: 'POST', path: `/v1/projects/${s.project}:getIamPolicy` }),
    },
    { method: 'POST', path: () => `/v1/projects/${s.project}:getIamPolicy`, body: { options: { requestedPolicyVersion: 3 } } },
    { method: 'POST', path: () => `/v1/projects/${s.project}/serviceAccounts`, body: { accountId: 'fuzz-sa', serviceAccount: { displayName: 'x' } }, state: get(`/v1/projects/${s.project}/serviceAccounts`) },
    { method: 'POST', path: () => `/v1/projects/${s.project}/serviceAccounts/${s.serviceAccount}/keys`, body: { privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE' } },
    { method: 'POST', path: () => '/_emulator/iam/tokens', body: { principal: 'user:fuzz@example.com', ttlSeconds: 60 } },
    { method: 'PUT', path: (n) => `/_emulator/iam/groups/fuzz-g${n}`, body: { members: ['user:fuzz@example.com'] } },
    // every mutation of these clock bodies is invalid (no case moves the clock); GET /_emulator/clock shows the time, so
    // it cannot serve as the unchanged state
    { method: 'POST', path: () => '/_emulator/clock', body: { advance: '30d' } },
    { method: 'POST', path: () => '/_emulator/clock', body: { set: '2030-01-01T00:00:00Z' } },
    { method: 'POST', path: () => '/_emulator/clock', body: { reset: true } },
    // a dry run (the only valid mutation sets dryRun to true again): nothing is deleted either way
    { method: 'POST', path: () => '/_emulator/cleanup:run', body: { repository: `${L.slice(4)}/repositories/${s.repository}`, dryRun: true }, state: get(`${P}/versions`) },
    // takes no body: whatever is sent, the answer is a collection (and nothing the seed holds goes)
    { method: 'POST', path: () => '/_emulator/gc', body: {}, state: get(`${P}/versions`) },
    // the seed repository is a standard one: no mutation of this fault can be accepted (FAILED_PRECONDITION at best)
    { method: 'POST', path: () => '/_emulator/faults', body: { repository: `${L.slice(4)}/repositories/${s.repository}`, mode: 'status', status: 503, forSeconds: 60 }, state: get('/_emulator/faults') },
    // switching a standard repository is refused; the one valid mutation (no repository) switches global offline off, as it is
    { method: 'POST', path: () => '/_emulator/offline', body: { offline: false, repository: `${L.slice(4)}/repositories/${s.repository}` }, state: get('/_emulator/offline') },
    { method: 'POST', path: () => '/token', body: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'x' }, contentType: 'application/x-www-form-urlencoded' },
    { method: 'POST', path: () => '/v2/token', body: { grant_type: 'password', username: 'x', password: 'y', scope: 'repository:a/b/c:pull' }, contentType: 'application/x-www-form-urlencoded' },
    {
      method: 'PUT', path: (n) => `/v2/${s.project}/${s.repository}/${s.image}/manifests/fuzz-m${n}`, body: manifest,
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      state: (n) => ({ method: 'GET', path: `/v2/${s.project}/${s.repository}/${s.image}/manifests/fuzz-m${n}` }),
    },
    { method: 'POST', path: () => `/v2/${s.project}/${s.repository}/${s.image}/blobs/uploads/?digest=sha256:${'1'.repeat(64)}`, body: { a: 1 }, contentType: 'application/octet-stream' },
  ];
}

const HUGE = 'h'.repeat(300 * 1024);
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Whole bodies that are not JSON, or JSON of the wrong shape (raw text, sent as is). */
export const WHOLE_BODIES: readonly string[] = [
  'not json', '{', '{"a":', '{"a":1,}', "{'a':1}", '\u0000\u00ff\u0001', '[]', '[1,2]', '[null]', 'null', '"string"', '42', '-1e999', 'true',
  deepArray(10_000), deepObject(10_000), JSON.stringify(HUGE), `{"x":${JSON.stringify('h'.repeat(2 << 20))}}`,
];

/** Values that replace one field of a valid body at a time: wrong types, huge strings, deep nesting. */
const FIELD_VALUES: readonly unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x', true, [], {}, [null], [1, 'x'], { a: { b: [] } }, HUGE, JSON.parse(deepArray(2_000)), '%E0%A4%A', '\u0000'];

/** Every field path of `value` (objects and arrays, depth first), the root excluded. */
function fieldPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...fieldPaths(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
  return [];
}

function withField(body: unknown, path: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = replacement;
  return copy;
}

/** For one route: every whole-body case, then up to `fieldCases` seeded field mutations (raw body text). */
export function bodyCases(route: BodyRoute, seed: number, fieldCases: number): Array<{ body: string; label: string }> {
  const random = seededRandom(seed);
  const cases = WHOLE_BODIES.map((body) => ({ body, label: `whole body ${JSON.stringify(body.slice(0, 20))}${body.length > 20 ? `… (${body.length} bytes)` : ''}` }));
  const all = fieldPaths(route.body).flatMap((path) => FIELD_VALUES.map((value) => ({ path, value })));
  for (let i = 0; i < fieldCases && all.length > 0; i++) {
    const { path, value } = all.splice(random.int(0, all.length - 1), 1)[0]!;
    const shown = typeof value === 'string' && value.length > 20 ? `"${value.slice(0, 8)}…" (${value.length})` : Array.isArray(value) && JSON.stringify(value).length > 40 ? '[deep]' : JSON.stringify(value);
    cases.push({ body: JSON.stringify(withField(route.body, path, value)), label: `${path.join('.')} = ${shown}` });
  }
  return cases;
}
