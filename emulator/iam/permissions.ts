// Artifact Registry permission names and the operation → permission table (spec ar-fidelity §5.1, §5.2, §1.5).
// Data only: which principal holds what is decided in policy-evaluator.ts, never here.

/** Every `artifactregistry.*` permission named in spec §5 (the §5.1 matrix plus the odd `gomodules.create`). */
export const PERMISSIONS = [
  'artifactregistry.aptartifacts.create',
  'artifactregistry.attachments.create',
  'artifactregistry.attachments.delete',
  'artifactregistry.attachments.get',
  'artifactregistry.attachments.list',
  'artifactregistry.dockerimages.get',
  'artifactregistry.dockerimages.list',
  'artifactregistry.files.delete',
  'artifactregistry.files.download',
  'artifactregistry.files.get',
  'artifactregistry.files.list',
  'artifactregistry.files.update',
  'artifactregistry.files.upload',
  // Named by the REST page of goModules.upload but held by no predefined role (spec §5.1 last bullet).
  'artifactregistry.gomodules.create',
  'artifactregistry.kfpartifacts.create',
  'artifactregistry.locations.get',
  'artifactregistry.locations.list',
  'artifactregistry.mavenartifacts.get',
  'artifactregistry.mavenartifacts.list',
  'artifactregistry.npmpackages.get',
  'artifactregistry.npmpackages.list',
  'artifactregistry.packages.delete',
  'artifactregistry.packages.get',
  'artifactregistry.packages.list',
  'artifactregistry.packages.update',
  'artifactregistry.projectconfigs.get',
  'artifactregistry.projectconfigs.update',
  'artifactregistry.projectsettings.get',
  'artifactregistry.projectsettings.update',
  'artifactregistry.pythonpackages.get',
  'artifactregistry.pythonpackages.list',
  'artifactregistry.repositories.create',
  'artifactregistry.repositories.createOnPush',
  'artifactregistry.repositories.createTagBinding',
  'artifactregistry.repositories.delete',
  'artifactregistry.repositories.deleteArtifacts',
  'artifactregistry.repositories.deleteTagBinding',
  'artifactregistry.repositories.downloadArtifacts',
  'artifactregistry.repositories.exportArtifacts',
  'artifactregistry.repositories.get',
  'artifactregistry.repositories.getIamPolicy',
  'artifactregistry.repositories.list',
  'artifactregistry.repositories.listEffectiveTags',
  'artifactregistry.repositories.listTagBindings',
  'artifactregistry.repositories.readViaVirtualRepository',
  'artifactregistry.repositories.setIamPolicy',
  'artifactregistry.repositories.update',
  'artifactregistry.repositories.uploadArtifacts',
  'artifactregistry.rules.create',
  'artifactregistry.rules.delete',
  'artifactregistry.rules.get',
  'artifactregistry.rules.list',
  'artifactregistry.rules.update',
  'artifactregistry.tags.create',
  'artifactregistry.tags.delete',
  'artifactregistry.tags.get',
  'artifactregistry.tags.list',
  'artifactregistry.tags.update',
  'artifactregistry.versions.delete',
  'artifactregistry.versions.get',
  'artifactregistry.versions.list',
  'artifactregistry.versions.update',
  'artifactregistry.yumartifacts.create',
] as const;

/**
 * Container Analysis permissions the occurrences API checks (control/analysis-api.ts, spec §6.2); roles.ts grants them
 * (ANALYSIS_GRANTS) apart from the §5.1 matrix, which is Artifact Registry's alone.
 */
export const ANALYSIS_PERMISSIONS = [
  'containeranalysis.notes.get',
  'containeranalysis.notes.list',
  'containeranalysis.notes.listOccurrences',
  'containeranalysis.occurrences.get',
  'containeranalysis.occurrences.list',
  // creating ATTESTATION occurrences (docs/deploy-policy.md)
  'containeranalysis.occurrences.create',
  'containeranalysis.occurrences.delete',
  'containeranalysis.notes.attachOccurrence',
] as const;

/** Binary Authorization permissions the deploy policy's API checks (control/binauthz-api.ts, docs/deploy-policy.md). */
export const BINAUTHZ_PERMISSIONS = [
  'binaryauthorization.attestors.create',
  'binaryauthorization.attestors.delete',
  'binaryauthorization.attestors.get',
  'binaryauthorization.attestors.list',
  'binaryauthorization.attestors.update',
  'binaryauthorization.attestors.verifyImageAttested',
  'binaryauthorization.policy.get',
  'binaryauthorization.policy.update',
] as const;

export type Permission = (typeof PERMISSIONS)[number] | (typeof ANALYSIS_PERMISSIONS)[number] | (typeof BINAUTHZ_PERMISSIONS)[number];

/** Permissions of other services that the §5.1 role dumps include; carried so role sets are exact. */
export const FOREIGN_PERMISSIONS = [
  'cloudasset.assets.analyzeIamPolicy',
  'cloudasset.assets.searchAllIamPolicies',
  'cloudasset.assets.searchAllResources',
  'cloudkms.keyHandles.create',
  'cloudkms.keyHandles.get',
  'cloudkms.keyHandles.list',
  'cloudkms.operations.get',
  'cloudkms.projects.showEffectiveAutokeyConfig',
  'iam.roles.get',
  'pubsub.topics.publish',
  'resourcemanager.projects.get',
  'resourcemanager.projects.getIamPolicy',
  'resourcemanager.projects.list',
  'serviceusage.services.use',
  'storage.objects.get',
  'storage.objects.list',
] as const;

export type ForeignPermission = (typeof FOREIGN_PERMISSIONS)[number];
/** Anything a predefined role can contain. */
export type RolePermission = Permission | ForeignPermission;

const PERMISSION_SET: ReadonlySet<string> = new Set([...PERMISSIONS, ...ANALYSIS_PERMISSIONS, ...BINAUTHZ_PERMISSIONS]);

export function isPermission(name: string): name is Permission {
  return PERMISSION_SET.has(name);
}

/** Spec §0 confidence marks: confirmed, observed, inferred, unconfirmed. */
export type Confidence = 'C' | 'O' | 'I' | 'U';

export interface OperationRule {
  /** All of these must be held. Empty: no permission is checked (authentication only). */
  readonly permissions: readonly Permission[];
  /** `repository`: checked on the repository (its policy plus the project's); `project`: on the project only. */
  readonly on: 'repository' | 'project';
  readonly confidence: Confidence;
  readonly note?: string;
}

const DOWNLOAD = 'artifactregistry.repositories.downloadArtifacts';
const UPLOAD = 'artifactregistry.repositories.uploadArtifacts';
const DELETE_ARTIFACTS = 'artifactregistry.repositories.deleteArtifacts';

const repo = (permissions: readonly Permission[], confidence: Confidence, note?: string): OperationRule =>
  note === undefined ? { permissions, on: 'repository', confidence } : { permissions, on: 'repository', confidence, note };
const project = (permissions: readonly Permission[], confidence: Confidence, note?: string): OperationRule =>
  note === undefined ? { permissions, on: 'project', confidence } : { permissions, on: 'project', confidence, note };

/**
 * Operation → required permissions (spec §5.2, REST rows from §1.5). Data-plane ids are `<format>.<action>`;
 * control-plane ids are the route names of emulator/control/routes.ts (`control.<resource>.<op>`).
 */
export const PERMISSIONS_BY_OPERATION = {
  'docker.pull': repo([DOWNLOAD], 'C', 'HEAD/GET manifests and blobs, tags/list'),
  'docker.push': repo([UPLOAD], 'C', 'blob upload and manifest PUT, including creating a tag'),
  'docker.tagMove': repo([UPLOAD, 'artifactregistry.tags.update'], 'I', 'manifest PUT moving an existing tag to another digest'),
  'docker.delete': repo([DELETE_ARTIFACTS], 'I', 'DELETE /v2/…/manifests/<digest or tag>'),
  'docker.createOnPush': project(['artifactregistry.repositories.createOnPush'], 'I', 'first push to a missing gcr.io-domain repository on a gcr.io host creates it (docs/gcr.md)'),
  'npm.install': repo([DOWNLOAD], 'C'),
  'npm.publish': repo([UPLOAD], 'C'),
  'npm.unpublish': repo([DELETE_ARTIFACTS], 'I'),
  'npm.distTag': repo([UPLOAD], 'I', 'npm dist-tag add/rm and npm deprecate (they rewrite the packument)'),
  'python.install': repo([DOWNLOAD], 'C'),
  'python.upload': repo([UPLOAD], 'C', 'twine upload'),
  'maven.resolve': repo([DOWNLOAD], 'C'),
  'maven.deploy': repo([UPLOAD], 'C'),
  'go.download': repo([DOWNLOAD], 'C', 'go get via GOPROXY'),
  'apt.download': repo([DOWNLOAD], 'C'),
  'yum.download': repo([DOWNLOAD], 'C'),
  'control.locations.list': project(['artifactregistry.locations.list'], 'I'),
  'control.locations.get': project(['artifactregistry.locations.get'], 'I'),
  'control.operations.get': project([], 'C', 'the REST table names no permission'),
  'control.projectSettings.get': project(['artifactregistry.projectsettings.get'], 'I'),
  'control.projectSettings.update': project(['artifactregistry.projectsettings.update'], 'I'),
  'control.repositories.list': project(['artifactregistry.repositories.list'], 'I'),
  'control.repositories.create': project(['artifactregistry.repositories.create'], 'C'),
  'control.repositories.get': repo(['artifactregistry.repositories.get'], 'C'),
  'control.repositories.update': repo(['artifactregistry.repositories.update'], 'I', 'also guards cleanup policies [C]'),
  'control.repositories.delete': repo(['artifactregistry.repositories.delete'], 'I'),
  'control.repositories.getIamPolicy': repo(['artifactregistry.repositories.getIamPolicy'], 'I'),
  'control.repositories.setIamPolicy': repo(['artifactregistry.repositories.setIamPolicy'], 'I'),
  'control.repositories.testIamPermissions': repo([], 'I', 'always allowed; answers the subset held'),
  'control.repositories.exportArtifact': repo(['artifactregistry.repositories.exportArtifacts'], 'I'),
  'control.packages.list': repo(['artifactregistry.packages.list'], 'I'),
  'control.packages.get': repo(['artifactregistry.packages.get'], 'I'),
  'control.packages.update': repo(['artifactregistry.packages.update'], 'I'),
  'control.packages.delete': repo(['artifactregistry.packages.delete'], 'I'),
  'control.versions.list': repo(['artifactregistry.versions.list'], 'I'),
  'control.versions.get': repo(['artifactregistry.versions.get'], 'I'),
  'control.versions.update': repo(['artifactregistry.versions.update'], 'I'),
  'control.versions.delete': repo(['artifactregistry.versions.delete'], 'I'),
  'control.versions.batchDelete': repo(['artifactregistry.versions.delete'], 'I'),
  'control.tags.list': repo(['artifactregistry.tags.list'], 'I'),
  'control.tags.get': repo(['artifactregistry.tags.get'], 'I'),
  'control.tags.create': repo(['artifactregistry.tags.create'], 'I'),
  'control.tags.update': repo(['artifactregistry.tags.update'], 'I'),
  'control.tags.delete': repo(['artifactregistry.tags.delete'], 'C'),
  'control.files.list': repo(['artifactregistry.files.list'], 'I'),
  'control.files.get': repo(['artifactregistry.files.get'], 'I'),
  'control.files.download': repo(['artifactregistry.files.get'], 'C', 'per the REST page; roles also carry files.download'),
  'control.files.update': repo(['artifactregistry.files.update'], 'I'),
  'control.files.delete': repo(['artifactregistry.files.delete'], 'I'),
  'control.files.upload': repo(['artifactregistry.files.upload'], 'C'),
  'control.dockerImages.list': repo(['artifactregistry.dockerimages.list'], 'I'),
  'control.dockerImages.get': repo(['artifactregistry.dockerimages.get'], 'I'),
  'control.mavenArtifacts.list': repo(['artifactregistry.mavenartifacts.list'], 'I'),
  'control.mavenArtifacts.get': repo(['artifactregistry.mavenartifacts.get'], 'I'),
  'control.npmPackages.list': repo(['artifactregistry.npmpackages.list'], 'I'),
  'control.npmPackages.get': repo(['artifactregistry.npmpackages.get'], 'I'),
  'control.pythonPackages.list': repo(['artifactregistry.pythonpackages.list'], 'I'),
  'control.pythonPackages.get': repo(['artifactregistry.pythonpackages.get'], 'I'),
  'control.aptArtifacts.import': repo(['artifactregistry.aptartifacts.create'], 'I'),
  'control.aptArtifacts.upload': repo(['artifactregistry.aptartifacts.create'], 'I'),
  'control.yumArtifacts.import': repo(['artifactregistry.yumartifacts.create'], 'I'),
  'control.yumArtifacts.upload': repo(['artifactregistry.yumartifacts.create'], 'I'),
  'control.goModules.upload': repo([UPLOAD], 'I', 'the REST page names gomodules.create, which no role holds'),
  'control.kfpArtifacts.upload': repo(['artifactregistry.kfpartifacts.create'], 'I'),
  'control.genericArtifacts.upload': repo([UPLOAD], 'C'),
  'control.attachments.list': repo(['artifactregistry.attachments.list'], 'I'),
  'control.attachments.get': repo(['artifactregistry.attachments.get'], 'I'),
  'control.attachments.create': repo(['artifactregistry.attachments.create'], 'I'),
  'control.attachments.delete': repo(['artifactregistry.attachments.delete'], 'I'),
  'control.rules.list': repo(['artifactregistry.rules.list'], 'I'),
  'control.rules.get': repo(['artifactregistry.rules.get'], 'I'),
  'control.rules.create': repo(['artifactregistry.rules.create'], 'I'),
  'control.rules.update': repo(['artifactregistry.rules.update'], 'I'),
  'control.rules.delete': repo(['artifactregistry.rules.delete'], 'I'),
  'control.vpcscConfig.get': project(['artifactregistry.projectconfigs.get'], 'U', 'the permission of GetVPCSCConfig is not documented (docs/vpcsc.md)'),
  'control.vpcscConfig.update': project(['artifactregistry.projectconfigs.update'], 'U', 'the permission of UpdateVPCSCConfig is not documented (docs/vpcsc.md)'),
  'analysis.occurrences.list': project(['containeranalysis.occurrences.list'], 'C', 'Container Analysis: also :vulnerabilitySummary; the locations form too'),
  'analysis.occurrences.vulnerabilitySummary': project(['containeranalysis.occurrences.list'], 'I'),
  'analysis.occurrences.get': project(['containeranalysis.occurrences.get'], 'C'),
  'analysis.occurrences.getNotes': project(['containeranalysis.occurrences.get'], 'I', 'the note of an occurrence'),
  'analysis.notes.get': project(['containeranalysis.notes.get'], 'C', "the provider projects' notes (goog-vulnz, goog-analysis): any signed-in caller"),
  'analysis.resources.exportSBOM': project(['containeranalysis.occurrences.create'], 'U', 'gcloud artifacts sbom export; the permission of ExportSBOM is not documented (docs/scanning.md)'),
  'binauthz.policy.get': project(['binaryauthorization.policy.get'], 'C', 'Binary Authorization (docs/deploy-policy.md)'),
  'binauthz.policy.update': project(['binaryauthorization.policy.update'], 'C'),
  'binauthz.attestors.list': project(['binaryauthorization.attestors.list'], 'C'),
  'binauthz.attestors.get': project(['binaryauthorization.attestors.get'], 'C', 'checked on the project (the real one is on the attestor)'),
  'binauthz.attestors.create': project(['binaryauthorization.attestors.create'], 'C'),
  'binauthz.attestors.update': project(['binaryauthorization.attestors.update'], 'C', 'checked on the project (the real one is on the attestor)'),
  'binauthz.attestors.delete': project(['binaryauthorization.attestors.delete'], 'C', 'checked on the project (the real one is on the attestor)'),
  'binauthz.attestors.validateAttestationOccurrence': project(['binaryauthorization.attestors.verifyImageAttested'], 'I', 'checked on the project'),
  'binauthz.occurrences.create': project(['containeranalysis.occurrences.create', 'containeranalysis.notes.attachOccurrence'], 'I', 'ATTESTATION occurrences only; attachOccurrence checked on the project, not the note'),
  'binauthz.occurrences.delete': project(['containeranalysis.occurrences.delete'], 'I', 'ATTESTATION occurrences only'),
} as const satisfies Record<string, OperationRule>;

export type OperationId = keyof typeof PERMISSIONS_BY_OPERATION;

/** The operation table of docs/iam.md (a meta-test checks the doc contains exactly this). */
export function renderOperationTable(): string {
  const rows = Object.entries(PERMISSIONS_BY_OPERATION).map(([id, rule]: [string, OperationRule]) => {
    const perms = rule.permissions.length === 0 ? '(none)' : rule.permissions.map((p) => `\`${p}\``).join(' + ');
    return `| \`${id}\` | ${perms} | ${rule.on} | [${rule.confidence}] | ${rule.note ?? ''} |`;
  });
  return ['| operation | permissions (all required) | checked on | confidence | note |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
