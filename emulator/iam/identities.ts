// Principals the emulator knows: service accounts and their keys (issued in Google's key-file format),
// locally configured groups, and project-level IAM policies. Kept in the `iam` metadata shard.
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import { isValidProjectId } from '../core/names.js';
import type { MetaShard, MetaStore } from '../storage/meta-store.js';
import { validatePolicy, type PolicyBinding } from './policy-validation.js';

export interface ServiceAccount {
  email: string;
  projectId: string;
  uniqueId: string;
  displayName?: string;
  createTime: string;
}

export interface ServiceAccountKey {
  keyId: string;
  email: string;
  publicKeyPem: string;
  createTime: string;
}

/** Google's service-account key file (what `gcloud iam service-accounts keys create` writes). */
export interface KeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

export interface ProjectPolicy {
  version?: number;
  bindings?: PolicyBinding[];
  etag: string;
}

const SHARD = ['iam'];
const generateRsaKeyPair = promisify(generateKeyPair);
const ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

export class IdentityStore {
  constructor(
    private readonly meta: MetaStore,
    private readonly clock: Clock,
  ) {}

  private get shard(): MetaShard {
    return this.meta.ensure(SHARD);
  }

  /** A secret for signing access tokens, created once per data directory. */
  async tokenSecret(): Promise<Buffer> {
    const existing = this.shard.get<string>('secrets', 'tokens');
    if (existing) return Buffer.from(existing, 'base64');
    const secret = randomBytes(32).toString('base64');
    await this.shard.transact((tx) => {
      if (!tx.get('secrets', 'tokens')) tx.put('secrets', 'tokens', secret);
    });
    return Buffer.from(this.shard.get<string>('secrets', 'tokens')!, 'base64');
  }

  async createServiceAccount(projectId: string, accountId: string, displayName?: string): Promise<ServiceAccount> {
    if (!isValidProjectId(projectId)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid project id "${projectId.slice(0, 60)}".`, { field: 'name' });
    if (!ACCOUNT_ID.test(accountId)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "account_id": 6 to 30 lowercase letters, digits and hyphens, starting with a letter.', { field: 'account_id' });
    }
    const email = `${accountId}@${projectId}.iam.gserviceaccount.com`;
    const account: ServiceAccount = {
      email, projectId, uniqueId: String(BigInt(`0x${randomBytes(8).toString('hex')}`) % 10n ** 21n), createTime: this.clock.now().toISOString(),
      ...(displayName ? { displayName } : {}),
    };
    await this.shard.transact((tx) => {
      if (tx.get('serviceAccounts', email)) throw new EmulatorError('ALREADY_EXISTS', `Service account ${accountId} already exists within project projects/${projectId}.`);
      tx.put('serviceAccounts', email, account);
    });
    return account;
  }

  serviceAccount(email: string): ServiceAccount | undefined {
    return this.shard.get<ServiceAccount>('serviceAccounts', email);
  }

  serviceAccounts(projectId: string): ServiceAccount[] {
    return [...this.shard.entries<ServiceAccount>('serviceAccounts')].map(([, a]) => a).filter((a) => a.projectId === projectId);
  }

  /** Issues a key: the private half goes to the caller in a key file and is never stored. */
  async createKey(email: string, tokenUri: string): Promise<{ key: ServiceAccountKey; file: KeyFile }> {
    const account = this.serviceAccount(email);
    if (!account) throw new EmulatorError('NOT_FOUND', `Service account ${email} does not exist.`);
    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    const key: ServiceAccountKey = { keyId, email, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), createTime: this.clock.now().toISOString() };
    await this.shard.transact((tx) => tx.put('keys', keyId, key));
    const file: KeyFile = {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: account.uniqueId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
    return { key, file };
  }

  key(keyId: string): ServiceAccountKey | undefined {
    return this.shard.get<ServiceAccountKey>('keys', keyId);
  }

  /** Groups `member` belongs to (as `group:` members). */
  groupsOf(member: string): string[] {
    const email = member.slice(member.indexOf(':') + 1);
    return [...this.shard.entries<string[]>('groups')].filter(([, members]) => members.includes(member) || members.includes(email)).map(([g]) => `group:${g}`);
  }

  async setGroup(group: string, members: string[]): Promise<void> {
    if (!/^[^@\s]+@[^@\s]+$/.test(group)) throw new EmulatorError('INVALID_ARGUMENT', 'A group is named by its email address.', { field: 'group' });
    await this.shard.transact((tx) => tx.put('groups', group, [...new Set(members)].sort()));
  }

  /** Reset (docs/config.md): groups and project policies go; service accounts and their keys stay (key files outlive a reset). */
  async resetPolicies(): Promise<void> {
    await this.shard.transact((tx) => {
      for (const [g] of [...this.shard.entries('groups')]) tx.delete('groups', g);
      for (const [p] of [...this.shard.entries('projectPolicies')]) tx.delete('projectPolicies', p);
    });
  }

  groups(): Record<string, string[]> {
    return Object.fromEntries(this.shard.entries<string[]>('groups'));
  }

  /** The project's policy as stored (possibly of any shape if the file was edited: the evaluator copes). */
  projectPolicy(projectId: string): ProjectPolicy | undefined {
    return this.shard.get<ProjectPolicy>('projectPolicies', projectId);
  }

  /** Validates first (a bad shape leaves the stored policy as it was), then honours the etag like a repository's. */
  async setProjectPolicy(projectId: string, input: unknown): Promise<ProjectPolicy> {
    const policy = validatePolicy(input);
    return this.shard.transact((tx) => {
      const currentEtag = tx.get<ProjectPolicy>('projectPolicies', projectId)?.etag ?? 'ACAB';
      if (policy.etag !== undefined && policy.etag !== '' && policy.etag !== currentEtag) {
        throw new EmulatorError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const stored: ProjectPolicy = {
        ...(policy.version ? { version: policy.version } : {}),
        ...(policy.bindings.length ? { bindings: policy.bindings } : {}),
        etag: Buffer.from(randomUUID()).toString('base64').slice(0, 12),
      };
      tx.put('projectPolicies', projectId, stored);
      return stored;
    });
  }
}
