// THE schema of the config file (`ar-emulator.yaml` / `.json`; docs/config.md), published as JSON Schema
// (resources/ar-emulator.schema.json is this object, checked by its test). Its vocabulary is the REST API's: a
// repository is a Repository resource in the API's JSON shape with its full `name`; a policy is an IAM Policy. The
// schema checks shapes and names; the API's own validation (the same as for a REST create) checks the rest.
const NAME = '^projects/[^/]+/locations/[^/]+/repositories/[^/]+$';
const obj = { type: 'object' } as const;

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://ar-emulator.local/schema/config.json',
  title: 'Artifact Registry emulator configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    repositories: {
      description: 'Repository resources in the REST API JSON shape, each with its full name.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'format'],
        properties: {
          name: { type: 'string', pattern: NAME, description: 'projects/PROJECT/locations/LOCATION/repositories/REPOSITORY' },
          format: { enum: ['DOCKER', 'MAVEN', 'NPM', 'APT', 'YUM', 'PYTHON', 'KFP', 'GO', 'GENERIC', 'RUBY'] },
          mode: { enum: ['STANDARD_REPOSITORY', 'VIRTUAL_REPOSITORY', 'REMOTE_REPOSITORY'] },
          description: { type: 'string', maxLength: 2048 },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          dockerConfig: obj,
          mavenConfig: obj,
          remoteRepositoryConfig: obj,
          virtualRepositoryConfig: obj,
          cleanupPolicies: obj,
          cleanupPolicyDryRun: { type: 'boolean' },
          vulnerabilityScanningConfig: obj,
          disallowUnspecifiedMode: { type: 'boolean' },
          kmsKeyName: { type: 'string' },
        },
      },
    },
    rules: {
      description: 'Download rules (Rule resources in the REST API JSON shape, docs/rules.md), each with its full name.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'action'],
        properties: {
          name: { type: 'string', pattern: '^projects/[^/]+/locations/[^/]+/repositories/[^/]+/rules/[^/]+$', description: 'projects/PROJECT/locations/LOCATION/repositories/REPOSITORY/rules/RULE' },
          action: { enum: ['ALLOW', 'DENY'] },
          operation: { enum: ['DOWNLOAD', 'OPERATION_UNSPECIFIED'] },
          packageId: { type: 'string', maxLength: 1024, description: 'the package the rule is for; absent: the whole repository' },
          condition: {
            type: 'object',
            additionalProperties: false,
            required: ['expression'],
            properties: { expression: { type: 'string', maxLength: 4096, description: 'CEL over pkg.id, pkg.version.id, pkg.tag.id, …' }, title: { type: 'string' }, description: { type: 'string' }, location: { type: 'string' } },
          },
        },
      },
    },
    iamPolicies: {
      description: 'IAM policies by resource name: a repository (projects/P/locations/L/repositories/R) or a project (projects/P).',
      type: 'object',
      propertyNames: { pattern: '^projects/[^/]+(/locations/[^/]+/repositories/[^/]+)?$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          version: { type: 'integer', enum: [1, 3] },
          bindings: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['role', 'members'],
              properties: {
                role: { type: 'string', pattern: '^roles/' },
                members: { type: 'array', items: { type: 'string', minLength: 1 } },
                condition: obj,
              },
            },
          },
        },
      },
    },
    preload: {
      description: 'Files to upload into declared repositories at apply (once: a file already there is left as it is): an OCI image layout (a directory or its tar) or a docker save tarball (DOCKER, with image and optionally tag), an npm tarball (NPM, optionally tag), a wheel or sdist (PYTHON), a jar or pom (MAVEN, with groupId, artifactId, version unless the jar carries its pom.properties; optionally classifier), .deb (APT), .rpm (YUM), a module zip (GO), any file (GENERIC, with packageId, versionId, filename).',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['repository', 'file'],
        properties: {
          repository: { type: 'string', pattern: NAME },
          file: { type: 'string', minLength: 1, description: 'a path relative to this file' },
          packageId: { type: 'string', minLength: 1 },
          versionId: { type: 'string', minLength: 1 },
          filename: { type: 'string', minLength: 1 },
          image: { type: 'string', minLength: 1, description: 'DOCKER: the image path in the repository' },
          tag: { type: 'string', minLength: 1, description: 'DOCKER: the tag (default: the layout\'s ref.name or the tarball\'s RepoTags, else latest); NPM: the dist-tag (default latest)' },
          groupId: { type: 'string', minLength: 1 },
          artifactId: { type: 'string', minLength: 1 },
          version: { type: 'string', minLength: 1 },
          classifier: { type: 'string', minLength: 1 },
        },
      },
    },
    serviceAccounts: {
      description: 'Service accounts to create; keyFile (relative to this file) receives a JSON key when it does not exist yet.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['email'],
        properties: {
          email: { type: 'string', pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]@[^@/]+\\.iam\\.gserviceaccount\\.com$' },
          displayName: { type: 'string', maxLength: 100 },
          keyFile: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;
