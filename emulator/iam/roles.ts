// Predefined roles → exact permission sets (spec ar-fidelity §5.1; basic roles inferred, see docs/iam.md).
// Data plus lookup only; custom roles (`projects/P/roles/X`) are not modelled and grant nothing.
import { PERMISSIONS, FOREIGN_PERMISSIONS, type Permission, type RolePermission } from './permissions.js';

export interface RoleDefinition {
  readonly name: string;
  /** Column key of the spec §5.1 matrix (and of docs/iam.md). */
  readonly key: string;
  readonly title: string;
  readonly permissions: ReadonlySet<RolePermission>;
  /** Where the permission list comes from (spec §0 source keys and confidence). */
  readonly source: string;
}

const AR = 'artifactregistry';
const ar = (...names: string[]): Permission[] => names.map((n) => `${AR}.${n}` as Permission);
const getList = (...collections: string[]): Permission[] => collections.flatMap((c) => ar(`${c}.get`, `${c}.list`));

// The hierarchy of spec §5.1 "Reading the matrix as a hierarchy"; roles.test.ts checks every cell against the matrix.
const READER: readonly RolePermission[] = [
  ...getList('attachments', 'dockerimages', 'files', 'locations', 'mavenartifacts', 'npmpackages', 'packages', 'pythonpackages', 'rules', 'tags', 'versions'),
  ...ar('files.download', 'projectconfigs.get', 'projectsettings.get'),
  ...ar('repositories.downloadArtifacts', 'repositories.exportArtifacts', 'repositories.get', 'repositories.list',
    'repositories.listEffectiveTags', 'repositories.listTagBindings', 'repositories.readViaVirtualRepository'),
  'resourcemanager.projects.get',
];
const WRITER: readonly RolePermission[] = [
  ...READER,
  ...ar('aptartifacts.create', 'yumartifacts.create', 'kfpartifacts.create', 'attachments.create', 'attachments.delete',
    'files.update', 'files.upload', 'packages.update', 'tags.create', 'tags.update', 'repositories.uploadArtifacts'),
];
const REPO_ADMIN: readonly RolePermission[] = [
  ...WRITER,
  ...ar('files.delete', 'packages.delete', 'versions.delete', 'versions.update', 'tags.delete', 'rules.create', 'rules.update',
    'rules.delete', 'repositories.deleteArtifacts'),
];
const KMS_AUTOKEY: readonly RolePermission[] = ['cloudkms.keyHandles.create', 'cloudkms.keyHandles.get', 'cloudkms.keyHandles.list',
  'cloudkms.operations.get', 'cloudkms.projects.showEffectiveAutokeyConfig'];
const ADMIN_ONLY_AR = ar('repositories.create', 'repositories.delete', 'repositories.update', 'repositories.getIamPolicy',
  'projectconfigs.update', 'projectsettings.update');
const ADMIN: readonly RolePermission[] = [
  ...REPO_ADMIN,
  ...ADMIN_ONLY_AR,
  ...ar('repositories.setIamPolicy', 'repositories.createTagBinding', 'repositories.deleteTagBinding'),
  ...KMS_AUTOKEY,
];
const CREATE_ON_PUSH = ar('repositories.createOnPush');
const EDITOR: readonly RolePermission[] = [...REPO_ADMIN, ...ADMIN_ONLY_AR, ...CREATE_ON_PUSH, 'resourcemanager.projects.list'];
const VIEWER: readonly RolePermission[] = [...READER, ...ar('repositories.getIamPolicy'), 'resourcemanager.projects.list'];
const ATTACHMENT_READER: readonly RolePermission[] = ar('attachments.get', 'attachments.list', 'files.download');
const ATTACHMENT_WRITER: readonly RolePermission[] = [...ATTACHMENT_READER, ...ar('attachments.create', 'attachments.delete', 'files.upload')];
const MIGRATION_ADMIN: readonly RolePermission[] = [
  ...ar('projectsettings.get', 'projectsettings.update', 'repositories.create', 'repositories.downloadArtifacts', 'repositories.get',
    'repositories.getIamPolicy', 'repositories.list', 'repositories.setIamPolicy', 'repositories.uploadArtifacts'),
  'cloudasset.assets.analyzeIamPolicy', 'cloudasset.assets.searchAllIamPolicies', 'cloudasset.assets.searchAllResources', 'iam.roles.get',
  'resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'serviceusage.services.use', 'storage.objects.get',
  'storage.objects.list',
];
const SERVICE_AGENT: readonly RolePermission[] = [
  ...ar('repositories.downloadArtifacts', 'repositories.get', 'repositories.readViaVirtualRepository', 'versions.delete'),
  'pubsub.topics.publish',
];

const onlyAr = (perms: readonly RolePermission[]): Permission[] => perms.filter((p): p is Permission => p.startsWith(`${AR}.`));

const DUMP = 'roles:artifactregistry.* @ 8ab2a6ff [C]';
const BASIC = 'docs:access-control [C]; Artifact Registry permissions only, exact list [I]';

const role = (name: string, key: string, title: string, perms: readonly RolePermission[], source: string): RoleDefinition => {
  const unknown = perms.filter((p) => !(PERMISSIONS as readonly string[]).includes(p) && !(FOREIGN_PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`role ${name} names unknown permissions: ${unknown.join(', ')}`);
  return { name, key, title, permissions: new Set(perms), source };
};

/** Every role the emulator knows, in the column order of the spec §5.1 matrix, then the basic roles. */
export const PREDEFINED_ROLES: readonly RoleDefinition[] = [
  role('roles/artifactregistry.reader', 'rd', 'Artifact Registry Reader', READER, DUMP),
  role('roles/artifactregistry.writer', 'wr', 'Artifact Registry Writer', WRITER, DUMP),
  role('roles/artifactregistry.repoAdmin', 'ra', 'Artifact Registry Repository Administrator', REPO_ADMIN, DUMP),
  role('roles/artifactregistry.admin', 'ad', 'Artifact Registry Administrator', ADMIN, DUMP),
  role('roles/artifactregistry.createOnPushWriter', 'cpw', 'Artifact Registry Create-on-Push Writer', [...WRITER, ...CREATE_ON_PUSH], DUMP),
  role('roles/artifactregistry.createOnPushRepoAdmin', 'cpra', 'Artifact Registry Create-on-Push Repository Administrator',
    [...REPO_ADMIN, ...CREATE_ON_PUSH], DUMP),
  role('roles/artifactregistry.editor', 'ed', 'Artifactregistry Editor', EDITOR, DUMP),
  role('roles/artifactregistry.viewer', 'vw', 'Artifactregistry Viewer', VIEWER, DUMP),
  role('roles/artifactregistry.attachmentReader', 'atr', 'Artifact Registry Attachment Reader', ATTACHMENT_READER, DUMP),
  role('roles/artifactregistry.attachmentWriter', 'atw', 'Artifact Registry Attachment Writer', ATTACHMENT_WRITER, DUMP),
  role('roles/artifactregistry.containerRegistryMigrationAdmin', 'mig', 'Container Registry -> Artifact Registry Migration Admin',
    MIGRATION_ADMIN, DUMP),
  role('roles/artifactregistry.serviceAgent', 'sa', 'Artifact Registry Service Agent', SERVICE_AGENT, DUMP),
  role('roles/owner', 'OW', 'Owner', onlyAr([...ADMIN, ...EDITOR, ...MIGRATION_ADMIN, ...SERVICE_AGENT]), BASIC),
  role('roles/editor', 'ED', 'Editor', onlyAr(EDITOR), BASIC),
  role('roles/viewer', 'VW', 'Viewer', onlyAr(VIEWER), BASIC),
];

const CA = (...names: string[]): Permission[] => names.map((n) => `containeranalysis.${n}` as Permission);
const CA_READ = CA('notes.get', 'notes.list', 'notes.listOccurrences', 'occurrences.get', 'occurrences.list');

/**
 * Container Analysis permissions (the occurrences API), by role, apart from the §5.1 matrix (Artifact Registry's only):
 * the Container Analysis roles with their real names, and the basic roles, which hold them
 * (docs:container-analysis access-control [I]: occurrences viewer = listOccurrences + occurrences get/list; notes
 * viewer = notes get/list; viewer, editor, owner and the admin role = all the read permissions the emulator checks).
 */
export const ANALYSIS_GRANTS: Readonly<Record<string, readonly Permission[]>> = {
  'roles/containeranalysis.occurrences.viewer': CA('notes.listOccurrences', 'occurrences.get', 'occurrences.list'),
  'roles/containeranalysis.notes.viewer': CA('notes.get', 'notes.list'),
  'roles/containeranalysis.admin': CA_READ,
  'roles/owner': CA_READ,
  'roles/editor': CA_READ,
  'roles/viewer': CA_READ,
};

const BA = (...names: string[]): Permission[] => names.map((n) => `binaryauthorization.${n}` as Permission);
const BA_ATTESTORS = BA('attestors.create', 'attestors.delete', 'attestors.get', 'attestors.list', 'attestors.update', 'attestors.verifyImageAttested');
const CA_WRITE = CA('occurrences.create', 'occurrences.delete', 'notes.attachOccurrence');

/**
 * Binary Authorization permissions (the deploy policy, docs/deploy-policy.md), by role, with the real role names
 * (docs:iam roles-permissions/binaryauthorization [C] for the attestor roles and admin; policyEditor/policyViewer [I]),
 * and the Container Analysis writes an attestation needs (occurrences.editor, notes.attacher, admin [I]).
 */
export const BINAUTHZ_GRANTS: Readonly<Record<string, readonly Permission[]>> = {
  'roles/binaryauthorization.admin': [...BA_ATTESTORS, ...BA('policy.get', 'policy.update')],
  'roles/binaryauthorization.attestorsAdmin': BA_ATTESTORS,
  'roles/binaryauthorization.attestorsEditor': BA_ATTESTORS,
  'roles/binaryauthorization.attestorsVerifier': BA('attestors.get', 'attestors.list', 'attestors.verifyImageAttested'),
  'roles/binaryauthorization.attestorsViewer': BA('attestors.get', 'attestors.list'),
  'roles/binaryauthorization.policyEditor': BA('policy.get', 'policy.update'),
  'roles/binaryauthorization.policyViewer': BA('policy.get'),
  'roles/containeranalysis.occurrences.editor': [...CA('notes.listOccurrences', 'occurrences.get', 'occurrences.list'), ...CA('occurrences.create', 'occurrences.delete')],
  'roles/containeranalysis.notes.attacher': CA('notes.attachOccurrence'),
  'roles/containeranalysis.admin': CA_WRITE,
  'roles/owner': [...BA_ATTESTORS, ...BA('policy.get', 'policy.update'), ...CA_WRITE],
  'roles/editor': [...BA_ATTESTORS, ...BA('policy.get', 'policy.update'), ...CA_WRITE],
  'roles/viewer': BA('attestors.get', 'attestors.list', 'policy.get'),
};

const EXTRA_GRANTS = [ANALYSIS_GRANTS, BINAUTHZ_GRANTS];
const extraOf = (name: string): Permission[] => EXTRA_GRANTS.flatMap((g) => g[name] ?? []);
const BY_NAME: ReadonlyMap<string, ReadonlySet<RolePermission>> = new Map([
  ...PREDEFINED_ROLES.map((r) => [r.name, new Set([...r.permissions, ...extraOf(r.name)])] as const),
  ...[...new Set(EXTRA_GRANTS.flatMap((g) => Object.keys(g)))].filter((name) => !PREDEFINED_ROLES.some((r) => r.name === name)).map((name) => [name, new Set<RolePermission>(extraOf(name))] as const),
]);
const NOTHING: ReadonlySet<RolePermission> = new Set();

export function isPredefinedRole(name: string): boolean {
  return BY_NAME.has(name);
}

/** The permissions a role grants; unknown and custom roles grant nothing. */
export function permissionsOfRole(name: string): ReadonlySet<RolePermission> {
  return BY_NAME.get(name) ?? NOTHING;
}

/** The role → permission matrix of docs/iam.md (a meta-test checks the doc contains exactly this). */
export function renderRoleMatrix(): string {
  const header = `| permission | ${PREDEFINED_ROLES.map((r) => r.key).join(' | ')} |`;
  const rule = `|---|${PREDEFINED_ROLES.map(() => '---').join('|')}|`;
  const rows = [...PERMISSIONS, ...FOREIGN_PERMISSIONS].map(
    (p) => `| \`${p}\` | ${PREDEFINED_ROLES.map((r) => (r.permissions.has(p) ? 'x' : ' ')).join(' | ')} |`,
  );
  const legend = PREDEFINED_ROLES.map((r) => `* \`${r.key}\` = \`${r.name}\` — ${r.title}, ${r.permissions.size} permissions (${r.source})`);
  return [header, rule, ...rows, '', ...legend].join('\n') + '\n';
}
