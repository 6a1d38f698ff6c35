// Meta-tests: the operation table names only known permissions, and docs/iam.md is generated from the data
// (spec ar-fidelity §5.2; same pattern as docs/ERRORS.md in test/unit/error-catalog.test.ts).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, PERMISSIONS_BY_OPERATION, isPermission, renderOperationTable, type OperationRule } from './permissions.js';
import { renderRoleMatrix } from './roles.js';

const rules: [string, OperationRule][] = Object.entries(PERMISSIONS_BY_OPERATION);

describe('PERMISSIONS_BY_OPERATION', () => {
  it('names only permissions of the permission list', () => {
    const unknown = rules.flatMap(([id, r]) => r.permissions.filter((p) => !isPermission(p)).map((p) => `${id}: ${p}`));
    expect(unknown).toEqual([]);
  });

  it('lists each permission once and only artifactregistry.* names', () => {
    expect(new Set(PERMISSIONS).size).toBe(PERMISSIONS.length);
    for (const p of PERMISSIONS) expect(p).toMatch(/^artifactregistry\.[a-z]+\.[a-zA-Z]+$/);
  });

  it('maps every control-plane route of emulator/control/routes.ts (identity administration aside)', async () => {
    const routes = await readFile(new URL('../control/routes.ts', import.meta.url), 'utf8');
    const names = [...routes.matchAll(/r\('([a-zA-Z.]+)'/g)].map((m) => `control.${m[1]}`).filter((n) => !n.startsWith('control.admin.'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !(n in PERMISSIONS_BY_OPERATION))).toEqual([]);
  });

  it('checks the §5.2 data-plane permissions for docker pull, push, tag move and delete', () => {
    expect(PERMISSIONS_BY_OPERATION['docker.pull'].permissions).toEqual(['artifactregistry.repositories.downloadArtifacts']);
    expect(PERMISSIONS_BY_OPERATION['docker.push'].permissions).toEqual(['artifactregistry.repositories.uploadArtifacts']);
    expect(PERMISSIONS_BY_OPERATION['docker.tagMove'].permissions)
      .toEqual(['artifactregistry.repositories.uploadArtifacts', 'artifactregistry.tags.update']);
    expect(PERMISSIONS_BY_OPERATION['docker.delete'].permissions).toEqual(['artifactregistry.repositories.deleteArtifacts']);
  });

  it('requires no permission for testIamPermissions and operations.get', () => {
    expect(PERMISSIONS_BY_OPERATION['control.repositories.testIamPermissions'].permissions).toEqual([]);
    expect(PERMISSIONS_BY_OPERATION['control.operations.get'].permissions).toEqual([]);
  });
});

describe('docs/iam.md', () => {
  it('contains the role matrix and the operation table generated from the data', async () => {
    const doc = await readFile(new URL('../../docs/iam.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderRoleMatrix());
    expect(doc).toContain(renderOperationTable());
  });
});
