// The config file's problems, each with its line: YAML syntax, duplicate keys, unknown fields, wrong types, bad
// enum values, duplicate repositories; a good file in YAML and in JSON gives the same declared state.
import { describe, expect, it } from 'vitest';
import { formatProblems, parseConfig } from './parse.js';

const good = `# seed
repositories:
  - name: projects/p1/locations/us-central1/repositories/images
    format: DOCKER
    dockerConfig: { immutableTags: true }
  - name: projects/p1/locations/us-central1/repositories/js
    format: NPM
    labels: { team: web }
iamPolicies:
  projects/p1/locations/us-central1/repositories/images:
    bindings:
      - role: roles/artifactregistry.reader
        members: [allUsers]
serviceAccounts:
  - email: ci-bot@p1.iam.gserviceaccount.com
    keyFile: ci-key.json
`;

const problemsOf = (text: string) => {
  const r = parseConfig(text);
  if (r.ok) throw new Error('expected problems');
  return formatProblems('f.yaml', r.problems);
};

describe('parseConfig', () => {
  it('reads repositories (the API shape, name apart), IAM policies and service accounts with their lines', () => {
    const r = parseConfig(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.repositories).toEqual([
      { name: 'projects/p1/locations/us-central1/repositories/images', body: { format: 'DOCKER', dockerConfig: { immutableTags: true } }, line: 3 },
      { name: 'projects/p1/locations/us-central1/repositories/js', body: { format: 'NPM', labels: { team: 'web' } }, line: 6 },
    ]);
    expect(r.config.iamPolicies).toEqual([{ resource: 'projects/p1/locations/us-central1/repositories/images', policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: ['allUsers'] }] }, line: 11 }]);
    expect(r.config.serviceAccounts).toEqual([{ email: 'ci-bot@p1.iam.gserviceaccount.com', keyFile: 'ci-key.json', line: 15 }]);
  });

  it('reads JSON as well (JSON is YAML 1.2)', () => {
    const r = parseConfig(JSON.stringify({ repositories: [{ name: 'projects/p1/locations/us-central1/repositories/r', format: 'PYTHON' }] }, null, 2));
    expect(r.ok && r.config.repositories[0]).toMatchObject({ name: 'projects/p1/locations/us-central1/repositories/r', body: { format: 'PYTHON' }, line: 3 });
  });

  it('an empty file declares nothing', () => {
    expect(parseConfig('')).toEqual({ ok: true, config: { repositories: [], iamPolicies: [], rules: [], serviceAccounts: [], preload: [] } });
  });

  it.each([
    ['an unknown top-level field', 'repos: []\n', 'f.yaml:1:1: unknown field "repos" in the file'],
    ['an unknown repository field', good.replace('    labels: { team: web }', '    labels: { team: web }\n    colour: blue'), 'f.yaml:9:5: unknown field "colour" in repositories.1'],
    ['a wrong type', good.replace('{ immutableTags: true }', '"yes"'), 'f.yaml:5:19: repositories.0.dockerConfig must be an object'],
    ['a format that is none', good.replace('format: NPM', 'format: NODE'), 'f.yaml:7:13: repositories.1.format must be one of "DOCKER"'],
    ['a missing format', 'repositories:\n  - name: projects/p1/locations/l/repositories/r\n', 'f.yaml:2:5: repositories.0 needs the field "format"'],
    ['a malformed name', 'repositories:\n  - name: p1/r\n    format: NPM\n', 'f.yaml:2:11: repositories.0.name is malformed'],
    ['a policy on what is no resource', 'iamPolicies:\n  nope: { bindings: [] }\n', 'f.yaml:2:3: iamPolicies: "nope" is not a resource name'],
    ['a duplicate repository', good.replace('repositories/js', 'repositories/images'), 'f.yaml:6:11: repository "projects/p1/locations/us-central1/repositories/images" is declared twice (first on line 3)'],
    ['a duplicate key', 'repositories: []\nrepositories: []\n', 'f.yaml:2:1: Map keys must be unique'],
    ['a YAML syntax error', 'repositories:\n  - name: [unclosed\n', 'f.yaml:3:1:'],
  ])('%s is reported with its line', (_what, text, want) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => p.startsWith(want))).toBe(true);
  });

  it('reports every schema problem at once', () => {
    const problems = problemsOf('repositories:\n  - name: x\n    format: NOPE\n    extra: 1\n');
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});
