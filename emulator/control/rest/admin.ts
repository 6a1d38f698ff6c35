// Identity administration the cloud does in other APIs, at their REST paths so scripts carry over:
// IAM service accounts and keys (iam.googleapis.com v1) and project IAM policies (Resource Manager v1).
// Open to local callers in every mode; callers beyond loopback need the admin token (security.ts, docs/iam.md).
import { decodePercent } from '../../core/decode-percent.js';
import type { IdentityStore } from '../../iam/identities.js';
import { readJson } from '../../http/body.js';
import type { Handler, RouteParams } from '../../http/context.js';
import { respond } from './request.js';

export interface AdminDeps {
  identities: IdentityStore;
  /** the OAuth2 token endpoint written into key files */
  tokenUri: () => string;
}

const accountResource = (a: { email: string; projectId: string; uniqueId: string; displayName?: string }) => ({
  name: `projects/${a.projectId}/serviceAccounts/${a.email}`, projectId: a.projectId, uniqueId: a.uniqueId, email: a.email,
  ...(a.displayName ? { displayName: a.displayName } : {}), oauth2ClientId: a.uniqueId,
});

export function adminHandlers(d: AdminDeps): Record<'createServiceAccount' | 'listServiceAccounts' | 'createServiceAccountKey' | 'getProjectIamPolicy' | 'setProjectIamPolicy', Handler> {
  const email = (p: RouteParams) => {
    const account = decodePercent(p.account ?? '', 'service account');
    return account.includes('@') ? account : `${account}@${p.project}.iam.gserviceaccount.com`;
  };
  return {
    createServiceAccount: async (ctx, p) => {
      const body = (await readJson(ctx, 64 * 1024)) as { accountId?: string; serviceAccount?: { displayName?: string } };
      const account = await d.identities.createServiceAccount(p.project!, body.accountId ?? '', body.serviceAccount?.displayName);
      respond(ctx, accountResource(account));
    },
    listServiceAccounts: async (ctx, p) => {
      const accounts = d.identities.serviceAccounts(p.project!).map(accountResource);
      respond(ctx, accounts.length ? { accounts } : {});
    },
    createServiceAccountKey: async (ctx, p) => {
      await readJson(ctx, 64 * 1024);
      const { key, file } = await d.identities.createKey(email(p), d.tokenUri());
      respond(ctx, {
        name: `projects/${p.project}/serviceAccounts/${key.email}/keys/${key.keyId}`,
        privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
        privateKeyData: Buffer.from(JSON.stringify(file, null, 2)).toString('base64'),
        keyAlgorithm: 'KEY_ALG_RSA_2048',
        validAfterTime: key.createTime,
        keyOrigin: 'GOOGLE_PROVIDED',
        keyType: 'USER_MANAGED',
      });
    },
    getProjectIamPolicy: async (ctx, p) => {
      await readJson(ctx, 64 * 1024);
      respond(ctx, d.identities.projectPolicy(p.project!) ?? { etag: 'ACAB' });
    },
    setProjectIamPolicy: async (ctx, p) => {
      const body = (await readJson(ctx, 1 << 20)) as { policy?: unknown };
      respond(ctx, await d.identities.setProjectPolicy(p.project!, body?.policy));
    },
  };
}
