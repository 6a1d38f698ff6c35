// Policy evaluation: members, inheritance, conditions, testIamPermissions (spec ar-fidelity §5.3, §1.9).
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, evaluate, heldPermissions, memberMatches, type IamPolicy } from './policy-evaluator.js';

const PULL = 'artifactregistry.repositories.downloadArtifacts';
const PUSH = 'artifactregistry.repositories.uploadArtifacts';
const ALICE = 'user:alice@example.com';
const CI = 'serviceAccount:ci@p.iam.gserviceaccount.com';
const policy = (role: string, ...members: string[]): IamPolicy => ({ version: 1, bindings: [{ role, members }] });
const READER = 'roles/artifactregistry.reader';
const WRITER = 'roles/artifactregistry.writer';

describe('evaluate', () => {
  it('allows a permission the principal holds through the repository policy', () => {
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy: policy(READER, ALICE) })).toEqual({ allowed: true });
  });

  it('denies a permission outside the granted role', () => {
    expect(evaluate({ principal: ALICE, permission: PUSH, repositoryPolicy: policy(READER, ALICE) }).allowed).toBe(false);
  });

  it('denies when there is no policy or no binding names the principal', () => {
    expect(evaluate({ principal: ALICE, permission: PULL }).allowed).toBe(false);
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy: {} }).allowed).toBe(false);
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy: policy(READER, 'user:bob@example.com') }).allowed).toBe(false);
  });

  it('inherits project bindings on every repository, and unions them with the repository policy', () => {
    const projectPolicy = policy(READER, ALICE);
    expect(evaluate({ principal: ALICE, permission: PULL, projectPolicy, repositoryPolicy: {} }).allowed).toBe(true);
    expect(evaluate({ principal: ALICE, permission: PUSH, projectPolicy, repositoryPolicy: policy(WRITER, ALICE) }).allowed).toBe(true);
    expect(evaluate({ principal: ALICE, permission: PUSH, projectPolicy }).allowed).toBe(false);
  });

  it('lets allUsers match everyone including anonymous callers', () => {
    const repositoryPolicy = policy(READER, 'allUsers');
    for (const principal of [ANONYMOUS, ALICE, CI]) expect(evaluate({ principal, permission: PULL, repositoryPolicy }).allowed).toBe(true);
  });

  it('lets allAuthenticatedUsers match any authenticated principal but not anonymous', () => {
    const repositoryPolicy = policy(READER, 'allAuthenticatedUsers');
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy }).allowed).toBe(true);
    expect(evaluate({ principal: CI, permission: PULL, repositoryPolicy }).allowed).toBe(true);
    expect(evaluate({ principal: ANONYMOUS, permission: PULL, repositoryPolicy }).allowed).toBe(false);
  });

  it('matches domain: members against user and service-account emails in that domain only', () => {
    const repositoryPolicy = policy(READER, 'domain:example.com');
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy }).allowed).toBe(true);
    expect(evaluate({ principal: 'serviceAccount:bot@example.com', permission: PULL, repositoryPolicy }).allowed).toBe(true);
    expect(evaluate({ principal: 'user:eve@notexample.com', permission: PULL, repositoryPolicy }).allowed).toBe(false);
    expect(evaluate({ principal: 'user:eve@sub.example.com', permission: PULL, repositoryPolicy }).allowed).toBe(false);
    expect(evaluate({ principal: ANONYMOUS, permission: PULL, repositoryPolicy }).allowed).toBe(false);
  });

  it('matches group: members through the caller-supplied memberships', () => {
    const repositoryPolicy = policy(WRITER, 'group:ci@example.com');
    expect(evaluate({ principal: CI, groups: ['group:ci@example.com'], permission: PUSH, repositoryPolicy }).allowed).toBe(true);
    expect(evaluate({ principal: CI, groups: ['group:other@example.com'], permission: PUSH, repositoryPolicy }).allowed).toBe(false);
    expect(evaluate({ principal: CI, permission: PUSH, repositoryPolicy }).allowed).toBe(false);
  });

  it('ignores group memberships passed for an anonymous caller', () => {
    const repositoryPolicy = policy(READER, 'group:ci@example.com');
    expect(evaluate({ principal: ANONYMOUS, groups: ['group:ci@example.com'], permission: PULL, repositoryPolicy }).allowed).toBe(false);
  });

  it('treats conditional bindings as granting nothing', () => {
    const repositoryPolicy: IamPolicy = {
      version: 3,
      bindings: [{ role: WRITER, members: [ALICE], condition: { expression: 'request.time < timestamp("2999-01-01T00:00:00Z")', title: 't' } }],
    };
    expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy }).allowed).toBe(false);
    expect(evaluate({ principal: ALICE, permission: PULL, projectPolicy: repositoryPolicy }).allowed).toBe(false);
  });

  it('grants nothing through unknown or custom roles', () => {
    for (const role of ['projects/p/roles/puller', 'roles/artifactregistry.superuser']) {
      expect(evaluate({ principal: ALICE, permission: PULL, repositoryPolicy: policy(role, ALICE) }).allowed).toBe(false);
    }
  });

  it('never matches anonymous through a literal member, deleted: or principalSet:// members', () => {
    expect(memberMatches('anonymous', ANONYMOUS, [])).toBe(false);
    expect(memberMatches('deleted:user:alice@example.com?uid=1', ALICE, [])).toBe(false);
    expect(memberMatches('principalSet://iam.googleapis.com/x', 'principalSet://iam.googleapis.com/x', [])).toBe(false);
  });

  it('compares emails case-insensitively', () => {
    expect(memberMatches('user:Alice@Example.com', ALICE, [])).toBe(true);
    expect(memberMatches('serviceAccount:CI@p.iam.gserviceaccount.com', CI, [])).toBe(true);
    expect(memberMatches('domain:EXAMPLE.com', ALICE, [])).toBe(true);
  });

  it('grants nothing, and never throws, for stored policies of the wrong shape', () => {
    const odd = [
      'x', 7, [], { bindings: 'x' }, { bindings: [null, 'roles/owner', 3] }, { bindings: [{ role: READER }] },
      { bindings: [{ role: READER, members: 'allUsers' }] }, { bindings: [{ role: 7, members: ['allUsers'] }] },
      { bindings: [{ role: READER, members: [null, 5, ALICE] }] },
    ] as unknown as IamPolicy[];
    for (const p of odd) expect(() => heldPermissions(ALICE, [], [p, p], [PULL])).not.toThrow();
    expect(odd.map((p) => heldPermissions(ALICE, [], [p], [PULL]))).toEqual([[], [], [], [], [], [], [], [], [PULL]]);
  });
});

describe('heldPermissions', () => {
  it('returns exactly the held subset, in request order, without duplicates', () => {
    const requested = [PUSH, PULL, 'artifactregistry.repositories.delete', PULL, 'artifactregistry.repositories.get', PUSH];
    expect(heldPermissions(ALICE, [], [policy(READER, ALICE)], requested)).toEqual([PULL, 'artifactregistry.repositories.get']);
    expect(heldPermissions(ALICE, [], [policy(WRITER, ALICE)], requested)).toEqual([PUSH, PULL, 'artifactregistry.repositories.get']);
  });

  it('unions repository and project levels and skips absent policies', () => {
    const held = heldPermissions(ALICE, [], [undefined, policy(READER, ALICE), policy(WRITER, 'group:g@example.com')], [PUSH, PULL]);
    expect(held).toEqual([PULL]);
    expect(heldPermissions(ALICE, ['group:g@example.com'], [undefined, policy(READER, ALICE), policy(WRITER, 'group:g@example.com')], [PUSH, PULL]))
      .toEqual([PUSH, PULL]);
  });

  it('does not expand wildcards or answer unknown permissions', () => {
    expect(heldPermissions(ALICE, [], [policy('roles/artifactregistry.admin', ALICE)], ['artifactregistry.*', 'artifactregistry.repositories.*', 'x.y.z']))
      .toEqual([]);
  });

  it('returns an empty list for an empty request', () => {
    expect(heldPermissions(ALICE, [], [policy(READER, ALICE)], [])).toEqual([]);
  });
});
