// Issue 17 item 6: error details as the real service sends them (spec ar-fidelity §1.10). Under --iam=enforce a
// denied call carries a google.rpc.ErrorInfo (reason IAM_PERMISSION_DENIED, domain iam.googleapis.com, metadata
// permission and resource; create and list name projects/P/locations/L), and INVALID_ARGUMENT a BadRequest — in
// the REST envelope's `details` and, over gRPC, in grpc-status-details-bin. The unmodified Node client decodes both.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, TEST_PROJECT as P, type TestEmulator } from '../../support/emulator.js';

type Transport = 'rest' | 'grpc';
interface GaxError {
  code?: number;
  message?: string;
  reason?: string;
  domain?: string;
  errorInfoMetadata?: Record<string, string>;
  statusDetails?: Array<Record<string, unknown>>;
}

const PARENT = `projects/${P}/locations/us-central1`;
const REPO = `${PARENT}/repositories/locked`;
const SA = `serviceAccount:sa-nobody@${P}.iam.gserviceaccount.com`;
let emu: TestEmulator;
const tokens: Record<string, string> = {};

const api = async (method: string, path: string, body?: unknown, token = tokens.owner) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  emu = await startEmulator({ iam: 'enforce' });
  const mint = async (principal: string) => String((await api('POST', '/_emulator/iam/tokens', { principal }, '')).body.accessToken);
  tokens.owner = await mint('user:owner@ar-emulator.local');
  expect((await api('POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'sa-nobody' })).status).toBe(200);
  tokens.nobody = await mint(SA);
  expect((await api('POST', `/v1/${PARENT}/repositories?repositoryId=locked`, { format: 'DOCKER' })).status).toBe(200);
});
afterAll(() => emu?.stop());

/**
 * google-auth-library 10's fetch (gaxios 7) throws a GaxiosError on any non-2xx answer before google-gax reads the
 * body, so over REST the stock OAuth2Client does not decode the details into `reason`/`errorInfoMetadata`: the
 * error's message is the whole JSON envelope, ErrorInfo included (the same happens against the real service). An
 * auth client whose fetch returns non-2xx answers lets google-gax decode them as it means to
 * (GoogleError.parseHttpError); the Node client itself is unchanged. docs/api.md "Errors".
 */
function returningAuthClient(token: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3600_000 });
  const fetch = client.fetch.bind(client);
  client.fetch = ((input: string, init?: Record<string, unknown>) => fetch(input, { ...init, validateStatus: () => true } as never)) as typeof client.fetch;
  return client;
}

/** The unmodified Node client over one transport, calling as `token`. */
function clientFor(transport: Transport, token: string): { client: ArtifactRegistryClient; opts: { otherArgs?: { headers: Record<string, string> } } } {
  if (transport === 'grpc') {
    const client = new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
    return { client, opts: { otherArgs: { headers: { authorization: `Bearer ${token}` } } } };
  }
  const authClient = returningAuthClient(token);
  const client = new ArtifactRegistryClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.emulator.port, authClient, universeDomain: 'googleapis.com' } as never);
  return { client, opts: {} };
}

async function failure(p: Promise<unknown>): Promise<GaxError> {
  try {
    await p;
  } catch (err) {
    return err as GaxError;
  }
  throw new Error('expected the call to fail');
}

const errorInfo = (permission: string, resource: string) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: { permission, resource },
});

describe('the REST envelope', () => {
  it('carries the ErrorInfo of a denied get, next to the real text', async () => {
    const res = await api('GET', `/v1/${REPO}`, undefined, tokens.nobody);
    expect(res).toEqual({
      status: 403,
      body: {
        error: {
          code: 403, status: 'PERMISSION_DENIED',
          message: `Permission 'artifactregistry.repositories.get' denied on resource '//artifactregistry.googleapis.com/${REPO}' (or it may not exist).`,
          details: [errorInfo('artifactregistry.repositories.get', REPO)],
        },
      },
    });
  });

  it('names projects/P/locations/L for a denied create and list', async () => {
    const created = await api('POST', `/v1/${PARENT}/repositories?repositoryId=nope`, { format: 'DOCKER' }, tokens.nobody);
    expect(created.body.error).toMatchObject({ message: expect.stringContaining(`on resource '//artifactregistry.googleapis.com/${PARENT}'`), details: [errorInfo('artifactregistry.repositories.create', PARENT)] });
    const listed = await api('GET', `/v1/${PARENT}/repositories`, undefined, tokens.nobody);
    expect(listed.body.error).toMatchObject({ details: [errorInfo('artifactregistry.repositories.list', PARENT)] });
  });

  it('carries an ErrorInfo with the observed text of a denied getIamPolicy', async () => {
    const res = await api('GET', `/v1/${REPO}:getIamPolicy`, undefined, tokens.nobody);
    expect(res.body.error).toMatchObject({ message: 'The caller does not have permission', details: [errorInfo('artifactregistry.repositories.getIamPolicy', REPO)] });
  });

  it('sends no ErrorInfo for an unauthenticated call', async () => {
    const res = await api('GET', `/v1/${REPO}`, undefined, '');
    expect(res.status).toBe(401);
    expect((res.body.error as Record<string, unknown>).details).toBeUndefined();
  });
});

describe.each(['rest', 'grpc'] as const)('the Node client over %s', (transport) => {
  it('decodes the ErrorInfo of a denied getRepository: reason, domain, metadata permission and resource', async () => {
    const { client, opts } = clientFor(transport, tokens.nobody!);
    try {
      const err = await failure(client.getRepository({ name: REPO }, opts));
      expect(err.code).toBe(7);
      expect(err.message).toContain("Permission 'artifactregistry.repositories.get' denied");
      expect(err.reason).toBe('IAM_PERMISSION_DENIED');
      expect(err.domain).toBe('iam.googleapis.com');
      expect(err.errorInfoMetadata).toEqual({ permission: 'artifactregistry.repositories.get', resource: REPO });
      expect(err.statusDetails).toEqual([expect.objectContaining({ reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com' })]);
    } finally {
      await client.close();
    }
  });

  it('decodes the location-level ErrorInfo of a denied createRepository and listRepositories', async () => {
    const { client, opts } = clientFor(transport, tokens.nobody!);
    try {
      const created = await failure(client.createRepository({ parent: PARENT, repositoryId: 'nope', repository: { format: 'DOCKER' } }, opts));
      expect(created.errorInfoMetadata).toEqual({ permission: 'artifactregistry.repositories.create', resource: PARENT });
      const listed = await failure(client.listRepositories({ parent: PARENT }, opts));
      expect(listed.errorInfoMetadata).toEqual({ permission: 'artifactregistry.repositories.list', resource: PARENT });
    } finally {
      await client.close();
    }
  });

  it('decodes the BadRequest of an INVALID_ARGUMENT', async () => {
    const { client, opts } = clientFor(transport, tokens.owner!);
    try {
      const err = await failure(client.createRepository({ parent: PARENT, repositoryId: 'badkey', repository: { format: 'DOCKER', kmsKeyName: 'not-a-key' } }, opts));
      expect(err.code).toBe(3);
      expect(err.reason).toBeUndefined();
      expect(err.statusDetails).toEqual([expect.objectContaining({ fieldViolations: [expect.objectContaining({ field: 'repository.kms_key_name' })] })]);
    } finally {
      await client.close();
    }
  });
});

describe('the Node client over REST with the stock OAuth2Client', () => {
  it('throws a GaxiosError whose message is the REST envelope, with the ErrorInfo', async () => {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: tokens.nobody, expiry_date: Date.now() + 3600_000 });
    const client = new ArtifactRegistryClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.emulator.port, authClient, universeDomain: 'googleapis.com' } as never);
    try {
      const err = await failure(client.getRepository({ name: REPO }));
      expect(err.code).toBe(403);
      expect(JSON.parse(err.message!)).toEqual({
        error: {
          code: 403, status: 'PERMISSION_DENIED',
          message: `Permission 'artifactregistry.repositories.get' denied on resource '//artifactregistry.googleapis.com/${REPO}' (or it may not exist).`,
          details: [errorInfo('artifactregistry.repositories.get', REPO)],
        },
      });
    } finally {
      await client.close();
    }
  });
});
