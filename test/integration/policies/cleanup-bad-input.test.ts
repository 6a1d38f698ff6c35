// Bad input to the cleanup policies, the clock and `POST /_emulator/cleanup:run` (issue 11, acceptance 4): each
// is INVALID_ARGUMENT (or NOT_FOUND for a repository that does not exist) in Google's JSON error shape, naming
// the field; the repository and the clock are left as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_LOCATION, TEST_PROJECT, type TestEmulator } from '../../support/emulator.js';

const REPO = 'guarded';
const REPOSITORY = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/${REPO}`;
const GOOD = { 'keep-v': { id: 'keep-v', action: 'KEEP', condition: { tagState: 'TAGGED', tagPrefixes: ['v'] } } };

let emu: TestEmulator;

interface GoogleError {
  error: { code: number; status: string; message: string; details?: Array<{ fieldViolations?: Array<{ field: string; description: string }> }> };
}

const send = async (method: string, path: string, body?: unknown, raw?: string) => {
  const res = await fetch(`${emu.url}${path}`, {
    method, headers: { 'content-type': 'application/json' },
    ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
/** The status, the canonical code and the field a failed call names. */
const failure = (r: { status: number; body: Record<string, unknown> }) => {
  const e = (r.body as unknown as GoogleError).error;
  return { status: r.status, code: e?.status, field: e?.details?.[0]?.fieldViolations?.[0]?.field, message: e?.message };
};
const repository = async () => (await send('GET', `/v1/${REPOSITORY}`)).body;
const clock = async () => (await send('GET', '/_emulator/clock')).body;
const patchPolicies = (policies: unknown) => send('PATCH', `/v1/${REPOSITORY}?updateMask=cleanupPolicies`, { cleanupPolicies: policies });

beforeAll(async () => {
  emu = await startEmulator();
  await emu.createRepository(REPO);
  const r = await patchPolicies(GOOD);
  expect(r.status).toBe(200);
});
afterAll(() => emu?.stop());

describe('cleanup policies that are not valid leave the repository unchanged', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a duration written in words', { p: { id: 'p', action: 'DELETE', condition: { olderThan: '30 days' } } }, 'repository.cleanup_policies[p].condition.older_than'],
    ['a negative duration', { p: { id: 'p', action: 'DELETE', condition: { olderThan: '-5s' } } }, 'repository.cleanup_policies[p].condition.older_than'],
    ['a duration that is a number', { p: { id: 'p', action: 'DELETE', condition: { newerThan: 86400 } } }, 'repository.cleanup_policies[p].condition.newer_than'],
    ['mostRecentVersions with DELETE', { p: { id: 'p', action: 'DELETE', mostRecentVersions: { keepCount: 5 } } }, 'repository.cleanup_policies[p].most_recent_versions'],
    ['a negative keepCount', { p: { id: 'p', action: 'KEEP', mostRecentVersions: { keepCount: -1 } } }, 'repository.cleanup_policies[p].most_recent_versions.keep_count'],
    ['an unknown tag state', { p: { id: 'p', action: 'DELETE', condition: { tagState: 'SOMETIMES' } } }, 'repository.cleanup_policies[p].condition.tag_state'],
    ['a missing action', { p: { id: 'p', condition: { tagState: 'ANY' } } }, 'repository.cleanup_policies[p].action'],
    ['an id that differs from its key', { p: { id: 'q', action: 'KEEP', condition: {} } }, 'repository.cleanup_policies[p].id'],
    ['tag prefixes that are not strings', { p: { id: 'p', action: 'KEEP', condition: { tagPrefixes: 'v' } } }, 'repository.cleanup_policies[p].condition.tag_prefixes'],
    [
      'more than 10 policies',
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, { id: `p${i}`, action: 'KEEP', condition: { tagState: 'TAGGED' } }])),
      'repository.cleanup_policies',
    ],
  ];
  for (const [what, policies, field] of cases) {
    it(`rejects ${what} naming ${field}`, async () => {
      const before = await repository();
      const f = failure(await patchPolicies(policies));
      expect(f).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', field });
      expect(f.message).toContain(field);
      expect(await repository()).toEqual(before);
      expect(before.cleanupPolicies).toEqual(GOOD);
    });
  }

  it('accepts exactly 10 policies', async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, { id: `p${i}`, action: 'KEEP', condition: { tagState: 'TAGGED' } }]));
    const r = await patchPolicies(ten);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.cleanupPolicies as object)).toHaveLength(10);
    expect((await patchPolicies(GOOD)).status).toBe(200);
  });

  it('refuses a repository created with a bad policy, and does not create it', async () => {
    const r = await send('POST', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories?repositoryId=never`, {
      format: 'DOCKER', cleanupPolicies: { p: { id: 'p', action: 'DELETE', condition: { olderThan: '30 days' } } },
    });
    expect(failure(r)).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', field: 'repository.cleanup_policies[p].condition.older_than' });
    expect((await send('GET', `/v1/projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/never`)).status).toBe(404);
  });
});

describe('a clock move that is not valid leaves the clock where it was', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a set to a non-time', { set: 'yesterday' }, 'set'],
    ['a set to an impossible date', { set: '2026-13-45T25:61:00Z' }, 'set'],
    ['a set to a number', { set: 1767225600 }, 'set'],
    ['a set beyond 100 years', { set: '2999-01-01T00:00:00Z' }, 'set'],
    ['an advance in words', { advance: '30 days' }, 'advance'],
    ['an advance that is a number', { advance: 86400 }, 'advance'],
    ['advance and set together', { advance: '1d', set: '2027-01-01T00:00:00Z' }, 'body'],
    ['nothing to do', {}, 'body'],
    ['a reset that is not true', { reset: false }, 'reset'],
  ];
  for (const [what, body, field] of cases) {
    it(`rejects ${what} naming ${field}`, async () => {
      const before = await clock();
      const f = failure(await send('POST', '/_emulator/clock', body));
      expect(f).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', field });
      const after = await clock();
      expect(after.offsetSeconds).toBe(before.offsetSeconds);
    });
  }

  it('rejects a body that is not JSON, or not a JSON object, as Google does (no field: the payload itself)', async () => {
    for (const raw of ['{"advance": ', '["advance", "1d"]', '"1d"']) {
      const f = failure(await send('POST', '/_emulator/clock', undefined, raw));
      expect(f).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
      expect(f.message).toMatch(/^Invalid JSON payload received\./);
    }
    expect((await clock()).offsetSeconds).toBe(0);
  });
});

describe('cleanup:run with a malformed or missing repository', () => {
  const cases: Array<[string, unknown, number, string, string | undefined]> = [
    ['no repository', {}, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a repository that is not a string', { repository: 42 }, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a bare repository id', { repository: REPO }, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a name with path tricks', { repository: `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/../../etc` }, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a name with a bad project id', { repository: `projects/Bad_Project/locations/${TEST_LOCATION}/repositories/${REPO}` }, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a name with upper case', { repository: `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/Guarded` }, 400, 'INVALID_ARGUMENT', 'repository'],
    ['a dryRun that is not a boolean', { repository: REPOSITORY, dryRun: 'yes' }, 400, 'INVALID_ARGUMENT', 'dryRun'],
    ['a repository that does not exist', { repository: `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/repositories/nowhere` }, 404, 'NOT_FOUND', undefined],
  ];
  for (const [what, body, status, code, field] of cases) {
    it(`answers ${what} with ${code}${field ? ` naming ${field}` : ''}`, async () => {
      const before = await repository();
      const f = failure(await send('POST', '/_emulator/cleanup:run', body));
      expect(f).toMatchObject({ status, code });
      if (field) expect(f.field).toBe(field);
      else expect(f.message).toContain('nowhere');
      expect(await repository()).toEqual(before);
    });
  }
});
