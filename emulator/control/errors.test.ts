// The google.rpc.Status details both transports send (spec ar-fidelity §1.10): ErrorInfo for IAM denials,
// BadRequest for field violations, nothing for server errors.
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../core/errors.js';
import { googleErrorDetails } from './errors.js';

const REPO = 'projects/P/locations/us-central1/repositories/R';

describe('googleErrorDetails', () => {
  it('turns a denial with permission and resource into an IAM_PERMISSION_DENIED ErrorInfo', () => {
    expect(googleErrorDetails(new EmulatorError('PERMISSION_DENIED', 'denied', { permission: 'artifactregistry.repositories.get', resource: REPO }))).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: { permission: 'artifactregistry.repositories.get', resource: REPO } },
    ]);
  });

  it('adds no ErrorInfo to other codes or to a denial without a permission', () => {
    expect(googleErrorDetails(new EmulatorError('PERMISSION_DENIED', 'denied'))).toBeUndefined();
    expect(googleErrorDetails(new EmulatorError('NOT_FOUND', 'gone', { permission: 'p', resource: REPO }))).toBeUndefined();
  });

  it('turns detail.field into one violation described by the message, detail.fieldViolations into several', () => {
    expect(googleErrorDetails(new EmulatorError('INVALID_ARGUMENT', 'bad mode', { field: 'repository.mode' }))).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'repository.mode', description: 'bad mode' }] },
    ]);
    const fieldViolations = [{ field: 'repository', description: 'a' }, { field: 'repository', description: 'b' }];
    expect(googleErrorDetails(new EmulatorError('INVALID_ARGUMENT', 'a\nb', { field: 'repository', fieldViolations }))).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations },
    ]);
  });

  it('never details a server error', () => {
    expect(googleErrorDetails(new EmulatorError('INTERNAL', 'boom', { field: 'x' }))).toBeUndefined();
    expect(googleErrorDetails(new EmulatorError('UNAVAILABLE', 'down', { field: 'x' }))).toBeUndefined();
  });
});
