// Denial texts, word for word (spec ar-fidelity §3.4 registry, §1.10 REST).
import { describe, expect, it } from 'vitest';
import { IAM_POLICY_DENIAL, anonymousRegistryDenial, permissionDeniedDetail, registryDenial, restDenial } from './denials.js';

const REPO = 'projects/P/locations/us-central1/repositories/R';

describe('denial texts', () => {
  it('words a registry denial with double quotes and no trailing period (the DENIED code adds `denied: `)', () => {
    expect(registryDenial('artifactregistry.repositories.uploadArtifacts', REPO)).toBe(
      'Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "projects/P/locations/us-central1/repositories/R" (or it may not exist)',
    );
  });

  it('words an unauthenticated registry denial', () => {
    expect(anonymousRegistryDenial('artifactregistry.repositories.downloadArtifacts', 'projects/P/locations/L/repositories/R')).toBe(
      'Unauthenticated request. Unauthenticated requests do not have permission "artifactregistry.repositories.downloadArtifacts" on resource "projects/P/locations/L/repositories/R" (or it may not exist)',
    );
  });

  it('words a REST denial with single quotes, the //service/ full name and a trailing period', () => {
    const expected = "Permission 'artifactregistry.repositories.get' denied on resource '//artifactregistry.googleapis.com/projects/P/locations/us-central1/repositories/R' (or it may not exist).";
    expect(restDenial('artifactregistry.repositories.get', REPO)).toBe(expected);
    expect(restDenial('artifactregistry.repositories.get', `//artifactregistry.googleapis.com/${REPO}`)).toBe(expected);
  });

  it('gives the ErrorInfo metadata the relative resource name, never the //service/ full name', () => {
    expect(permissionDeniedDetail('artifactregistry.repositories.get', REPO)).toEqual({ permission: 'artifactregistry.repositories.get', resource: REPO });
    expect(permissionDeniedDetail('artifactregistry.repositories.list', '//artifactregistry.googleapis.com/projects/P/locations/L')).toEqual({
      permission: 'artifactregistry.repositories.list', resource: 'projects/P/locations/L',
    });
  });

  it('words a getIamPolicy refusal as observed', () => {
    expect(IAM_POLICY_DENIAL).toBe('The caller does not have permission');
  });
});
