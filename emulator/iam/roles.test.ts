// Table test: every role × every permission of spec ar-fidelity §5.1, through testIamPermissions (heldPermissions).
// SPEC_MATRIX is transcribed from the §5.1 table independently of the role hierarchy in roles.ts.
import { describe, expect, it } from 'vitest';
import { FOREIGN_PERMISSIONS, PERMISSIONS, type RolePermission } from './permissions.js';
import { heldPermissions, type IamPolicy } from './policy-evaluator.js';
import { PREDEFINED_ROLES, isPredefinedRole, permissionsOfRole } from './roles.js';

const SPEC_COLUMNS = ['reader', 'writer', 'repoAdmin', 'admin', 'createOnPushWriter', 'createOnPushRepoAdmin', 'editor', 'viewer',
  'attachmentReader', 'attachmentWriter', 'containerRegistryMigrationAdmin', 'serviceAgent'].map((r) => `roles/artifactregistry.${r}`);
const SPEC_COUNTS = [33, 44, 53, 67, 45, 54, 61, 35, 3, 6, 18, 5];

// Columns: rd wr ra ad cpw cpra ed vw atr atw mig sa ('x' = included), exactly as the §5.1 matrix.
const SPEC_MATRIX: readonly (readonly [RolePermission, string])[] = [
  ['artifactregistry.aptartifacts.create', '.xxxxxx.....'],
  ['artifactregistry.attachments.create', '.xxxxxx..x..'],
  ['artifactregistry.attachments.delete', '.xxxxxx..x..'],
  ['artifactregistry.attachments.get', 'xxxxxxxxxx..'],
  ['artifactregistry.attachments.list', 'xxxxxxxxxx..'],
  ['artifactregistry.dockerimages.get', 'xxxxxxxx....'],
  ['artifactregistry.dockerimages.list', 'xxxxxxxx....'],
  ['artifactregistry.files.delete', '..xx.xx.....'],
  ['artifactregistry.files.download', 'xxxxxxxxxx..'],
  ['artifactregistry.files.get', 'xxxxxxxx....'],
  ['artifactregistry.files.list', 'xxxxxxxx....'],
  ['artifactregistry.files.update', '.xxxxxx.....'],
  ['artifactregistry.files.upload', '.xxxxxx..x..'],
  ['artifactregistry.kfpartifacts.create', '.xxxxxx.....'],
  ['artifactregistry.locations.get', 'xxxxxxxx....'],
  ['artifactregistry.locations.list', 'xxxxxxxx....'],
  ['artifactregistry.mavenartifacts.get', 'xxxxxxxx....'],
  ['artifactregistry.mavenartifacts.list', 'xxxxxxxx....'],
  ['artifactregistry.npmpackages.get', 'xxxxxxxx....'],
  ['artifactregistry.npmpackages.list', 'xxxxxxxx....'],
  ['artifactregistry.packages.delete', '..xx.xx.....'],
  ['artifactregistry.packages.get', 'xxxxxxxx....'],
  ['artifactregistry.packages.list', 'xxxxxxxx....'],
  ['artifactregistry.packages.update', '.xxxxxx.....'],
  ['artifactregistry.projectconfigs.get', 'xxxxxxxx....'],
  ['artifactregistry.projectconfigs.update', '...x..x.....'],
  ['artifactregistry.projectsettings.get', 'xxxxxxxx..x.'],
  ['artifactregistry.projectsettings.update', '...x..x...x.'],
  ['artifactregistry.pythonpackages.get', 'xxxxxxxx....'],
  ['artifactregistry.pythonpackages.list', 'xxxxxxxx....'],
  ['artifactregistry.repositories.create', '...x..x...x.'],
  ['artifactregistry.repositories.createOnPush', '....xxx.....'],
  ['artifactregistry.repositories.createTagBinding', '...x........'],
  ['artifactregistry.repositories.delete', '...x..x.....'],
  ['artifactregistry.repositories.deleteArtifacts', '..xx.xx.....'],
  ['artifactregistry.repositories.deleteTagBinding', '...x........'],
  ['artifactregistry.repositories.downloadArtifacts', 'xxxxxxxx..xx'],
  ['artifactregistry.repositories.exportArtifacts', 'xxxxxxxx....'],
  ['artifactregistry.repositories.get', 'xxxxxxxx..xx'],
  ['artifactregistry.repositories.getIamPolicy', '...x..xx..x.'],
  ['artifactregistry.repositories.list', 'xxxxxxxx..x.'],
  ['artifactregistry.repositories.listEffectiveTags', 'xxxxxxxx....'],
  ['artifactregistry.repositories.listTagBindings', 'xxxxxxxx....'],
  ['artifactregistry.repositories.readViaVirtualRepository', 'xxxxxxxx...x'],
  ['artifactregistry.repositories.setIamPolicy', '...x......x.'],
  ['artifactregistry.repositories.update', '...x..x.....'],
  ['artifactregistry.repositories.uploadArtifacts', '.xxxxxx...x.'],
  ['artifactregistry.rules.create', '..xx.xx.....'],
  ['artifactregistry.rules.delete', '..xx.xx.....'],
  ['artifactregistry.rules.get', 'xxxxxxxx....'],
  ['artifactregistry.rules.list', 'xxxxxxxx....'],
  ['artifactregistry.rules.update', '..xx.xx.....'],
  ['artifactregistry.tags.create', '.xxxxxx.....'],
  ['artifactregistry.tags.delete', '..xx.xx.....'],
  ['artifactregistry.tags.get', 'xxxxxxxx....'],
  ['artifactregistry.tags.list', 'xxxxxxxx....'],
  ['artifactregistry.tags.update', '.xxxxxx.....'],
  ['artifactregistry.versions.delete', '..xx.xx....x'],
  ['artifactregistry.versions.get', 'xxxxxxxx....'],
  ['artifactregistry.versions.list', 'xxxxxxxx....'],
  ['artifactregistry.versions.update', '..xx.xx.....'],
  ['artifactregistry.yumartifacts.create', '.xxxxxx.....'],
  ['cloudasset.assets.analyzeIamPolicy', '..........x.'],
  ['cloudasset.assets.searchAllIamPolicies', '..........x.'],
  ['cloudasset.assets.searchAllResources', '..........x.'],
  ['cloudkms.keyHandles.create', '...x........'],
  ['cloudkms.keyHandles.get', '...x........'],
  ['cloudkms.keyHandles.list', '...x........'],
  ['cloudkms.operations.get', '...x........'],
  ['cloudkms.projects.showEffectiveAutokeyConfig', '...x........'],
  ['iam.roles.get', '..........x.'],
  ['pubsub.topics.publish', '...........x'],
  ['resourcemanager.projects.get', 'xxxxxxxx..x.'],
  ['resourcemanager.projects.getIamPolicy', '..........x.'],
  ['resourcemanager.projects.list', '......xx....'],
  ['serviceusage.services.use', '..........x.'],
  ['storage.objects.get', '..........x.'],
  ['storage.objects.list', '..........x.'],
];

const ALL: readonly string[] = [...PERMISSIONS, ...FOREIGN_PERMISSIONS];
const USER = 'user:dev@example.com';
const grant = (role: string): IamPolicy => ({ bindings: [{ role, members: [USER] }] });

function expectedFor(role: string): string[] {
  const col = SPEC_COLUMNS.indexOf(role);
  if (col >= 0) return SPEC_MATRIX.filter(([, cells]) => cells[col] === 'x').map(([p]) => p);
  const arOf = (r: string) => expectedFor(r).filter((p) => p.startsWith('artifactregistry.'));
  if (role === 'roles/viewer') return arOf('roles/artifactregistry.viewer');
  if (role === 'roles/editor') return arOf('roles/artifactregistry.editor');
  if (role === 'roles/owner') return PERMISSIONS.filter((p) => p !== 'artifactregistry.gomodules.create');
  throw new Error(`no expectation for ${role}`);
}

describe('predefined roles (spec §5.1)', () => {
  it('covers every permission row of the spec matrix and nothing else', () => {
    expect(SPEC_MATRIX.map(([p]) => p).sort()).toEqual(ALL.filter((p) => p !== 'artifactregistry.gomodules.create').sort());
  });

  it('has the role counts the dump states', () => {
    SPEC_COLUMNS.forEach((role, i) => expect(permissionsOfRole(role).size, role).toBe(SPEC_COUNTS[i]));
  });

  it('knows every role of the matrix plus the basic roles', () => {
    expect(PREDEFINED_ROLES.map((r) => r.name)).toEqual([...SPEC_COLUMNS, 'roles/owner', 'roles/editor', 'roles/viewer']);
  });

  for (const role of PREDEFINED_ROLES.map((r) => r.name)) {
    it(`testIamPermissions returns exactly the subset ${role} holds, in request order`, () => {
      const requested = [...ALL].reverse();
      const expected = new Set(expectedFor(role));
      expect(heldPermissions(USER, [], [grant(role)], requested)).toEqual(requested.filter((p) => expected.has(p)));
    });
  }

  it('grants artifactregistry.gomodules.create through no role (the REST page names it, no role holds it)', () => {
    for (const r of PREDEFINED_ROLES) expect(r.permissions.has('artifactregistry.gomodules.create'), r.name).toBe(false);
  });

  it('treats custom and unknown roles as granting nothing', () => {
    for (const role of ['projects/p/roles/custom', 'organizations/1/roles/x', 'roles/artifactregistry.nope', '']) {
      expect(isPredefinedRole(role)).toBe(false);
      expect(heldPermissions(USER, [], [grant(role)], ALL)).toEqual([]);
    }
  });
});
