// Composition of IAM with the HTTP layer and the formats: the request guard dispatch calls (including the admin
// token the emulator's own administration needs beyond loopback), the registry's token issuing and in-handler
// checks, testIamPermissions, and the OAuth2 and token-minting endpoints of the emulator API.
import { timingSafeEqual } from 'node:crypto';
import { decodePercent } from './core/decode-percent.js';
import { EmulatorError } from './core/errors.js';
import type { EmulatorEventMap, EventBus } from './core/events.js';
import type { Clock } from './core/clock.js';
import { repositoryName } from './core/names.js';
import type { AppContext, Handler } from './http/context.js';
import { readBody, readJson } from './http/body.js';
import type { RequestGuard } from './http/format-module.js';
import { isLoopbackAddress } from './http/middleware/host-guard.js';
import { CredentialVerifier } from './iam/credentials.js';
import { anonymousRegistryDenial } from './iam/denials.js';
import { IamGuard, LOCAL_OWNER, type IamMode } from './iam/guard.js';
import type { IdentityStore } from './iam/identities.js';
import { ANONYMOUS } from './iam/policy-evaluator.js';
import type { IamPolicyService } from './iam/repository-policies.js';
import { TokenService, unauthenticated } from './iam/tokens.js';
import type { DockerAuth } from './formats/docker/handlers/token.js';
import type { VirtualAccess } from './content/virtual.js';

export interface Security {
  iam: IamGuard;
  tokens: TokenService;
  guard: RequestGuard;
  dockerAuth: DockerAuth;
  held: (caller: { principal: string; groups: string[] } | undefined, repo: { project: string; location: string; repository: string }, requested: string[]) => string[];
  /** what virtual repositories ask before reading a member (the service agent's readViaVirtualRepository) */
  virtualAccess: VirtualAccess;
  /** IAM for gRPC calls: the same guard, with operations named after the REST routes */
  grpcAuthorize: (rpc: string, request: Record<string, unknown>, authorization: string | undefined) => Promise<Record<string, unknown>>;
  /** POST /token (OAuth2 jwt-bearer grant) and POST /_emulator/iam/tokens, PUT /_emulator/iam/groups/{group} */
  handlers: { oauthToken: Handler; mintToken: Handler; setGroup: Handler };
  /** An error rendered to an HTTP client: a policy refusal (immutable tags, …) becomes `policy.violated`, naming the caller. */
  onHttpError: (err: EmulatorError, ctx: AppContext) => void;
  /** The same for a failed gRPC call, whose caller is read again from its Authorization metadata. */
  onGrpcError: (err: unknown, authorization: string | undefined) => void;
}

export async function createSecurity(d: {
  mode: IamMode;
  identities: IdentityStore;
  policies: IamPolicyService;
  events: EventBus;
  clock: Clock;
  /** the dashboard's per-process token: a request carrying it acts as the local owner */
  dashboardToken: string;
  /** what the admin surface needs from callers beyond loopback (ADMIN_TOKEN_HEADER) */
  adminToken: string;
}): Promise<Security> {
  const tokens = new TokenService(d.identities, d.clock, await d.identities.tokenSecret());
  const credentials = new CredentialVerifier(d.identities, tokens);
  const iam = new IamGuard(d.mode, d.identities, credentials, d.policies, d.events);

  const callerOf = (ctx: AppContext) => ({ principal: ctx.state.principal ?? ANONYMOUS, groups: ctx.state.groups ?? [] });

  const guard: RequestGuard = {
    // UNAUTHENTICATED from here gets the module's challenge (WWW-Authenticate) from the error boundary.
    async authenticate(ctx) {
      assertAdminAllowed(ctx, d.adminToken);
      const dashboard = ctx.get('x-emulator-token');
      if (dashboard && !ctx.get('authorization') && safeEqual(dashboard, d.dashboardToken)) {
        ctx.state.principal = LOCAL_OWNER;
        ctx.state.groups = [];
        return;
      }
      const caller = await iam.caller(ctx.get('authorization') || undefined);
      ctx.state.principal = caller.principal;
      ctx.state.groups = caller.groups;
    },
    async authorize(ctx, module, check) {
      if (!check) return;
      const caller = callerOf(ctx);
      const decision = iam.decide(caller, check);
      if (decision.allowed) return;
      throw iam.denial(decision, caller, module.denialWording ?? 'rest', check.operation);
    },
  };

  const dockerAuth: DockerAuth = {
    callerFromPassword: async (username, password) => {
      const principal = await credentials.usernamePassword(username, password);
      return { principal, groups: d.identities.groupsOf(principal) };
    },
    assertTokenAllowed(caller, repositories) {
      if (caller.principal !== ANONYMOUS) return;
      for (const repo of repositories) {
        const decision = iam.decide(caller, { operation: 'docker.pull', project: repo.project, repository: repo });
        if (!decision.allowed) {
          iam.denial(decision, caller, 'registry', 'docker.token');
          throw new EmulatorError('PERMISSION_DENIED', anonymousRegistryDenial('artifactregistry.repositories.downloadArtifacts', repositoryName(repo)));
        }
      }
    },
    issue: (principal) => tokens.issue(principal),
    allows: (ctx, operation, repository) => iam.decide(callerOf(ctx), { operation, project: repository.project, repository }).allowed,
    require(ctx, operation, repository) {
      const caller = callerOf(ctx);
      const decision = iam.decide(caller, { operation, project: repository.project, repository });
      if (decision.allowed) return;
      const err = iam.denial(decision, caller, 'registry', operation);
      throw err;
    },
  };

  const oauthToken: Handler = async (ctx) => {
    const form = new URLSearchParams((await readBody(ctx, 64 * 1024)).toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      ctx.status = 400;
      ctx.body = { error: 'unsupported_grant_type', error_description: 'Only the JWT bearer grant of service-account keys is supported.' };
      return;
    }
    try {
      const principal = await tokens.verifyServiceAccountJwt(form.get('assertion') ?? '', [/\/token$/]);
      const t = tokens.issue(principal);
      ctx.body = { access_token: t.accessToken, expires_in: t.expiresIn, token_type: 'Bearer' };
    } catch (err) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: err instanceof EmulatorError ? err.message : 'Invalid JWT.' };
    }
  };

  const mintToken: Handler = async (ctx) => {
    const body = (await readJson(ctx, 16 * 1024)) as { principal?: string; ttlSeconds?: number };
    const principal = body.principal ?? LOCAL_OWNER;
    if (!/^(user|serviceAccount):[^@\s]+@[^@\s]+$/.test(principal)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'principal must look like user:EMAIL or serviceAccount:EMAIL.', { field: 'principal' });
    }
    if (principal.startsWith('serviceAccount:') && !d.identities.serviceAccount(principal.slice('serviceAccount:'.length))) {
      throw unauthenticated(`Unknown service account ${principal.slice('serviceAccount:'.length)}: create it first.`);
    }
    const ttl = body.ttlSeconds === undefined ? undefined : Number(body.ttlSeconds);
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0 || ttl > 43_200)) throw new EmulatorError('INVALID_ARGUMENT', 'ttlSeconds must be 1 to 43200.', { field: 'ttlSeconds' });
    const t = tokens.issue(principal, ttl);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { accessToken: t.accessToken, expiresIn: t.expiresIn, principal };
  };

  const setGroup: Handler = async (ctx, p) => {
    const body = (await readJson(ctx, 256 * 1024)) as { members?: string[] };
    if (!Array.isArray(body.members)) throw new EmulatorError('INVALID_ARGUMENT', 'members must be a list of user:/serviceAccount: members.', { field: 'members' });
    await d.identities.setGroup(decodePercent(p.group!, 'group'), body.members);
    ctx.body = { group: decodePercent(p.group!, 'group'), members: d.identities.groups()[decodePercent(p.group!, 'group')] };
  };

  const grpcAuthorize = async (rpc: string, request: Record<string, unknown>, authorization: string | undefined) => {
    const caller = await iam.caller(authorization);
    const operation = GRPC_OPERATIONS[rpc];
    if (!operation) throw new EmulatorError('UNSUPPORTED', `${rpc} is not implemented.`);
    const name = resourceOf(request);
    const m = /^projects\/([^/]+)(?:\/locations\/([^/]+)(?:\/repositories\/([^/]+))?)?/.exec(name);
    const check = {
      operation,
      project: m?.[1] ?? '-',
      ...(m?.[2] ? { location: m[2] } : {}),
      ...(m?.[3] ? { repository: { project: m[1]!, location: m[2]!, repository: decodePercent(m[3], 'repository') } } : {}),
    };
    const decision = iam.decide(caller, check);
    if (!decision.allowed) throw iam.denial(decision, caller, 'rest', operation);
    return rpc === 'TestIamPermissions' ? { ...request, caller } : request;
  };

  const reportViolation = (err: unknown, principal: string) => {
    const v = err instanceof EmulatorError ? (err.detail?.violation as EmulatorEventMap['policy.violated'] | undefined) : undefined;
    // a deploy-policy denial also carries the image, the rule, its text and the worst finding (docs/deploy-policy.md)
    if (v) d.events.emit('policy.violated', { ...v, principal });
  };
  const onHttpError = (err: EmulatorError, ctx: AppContext) => reportViolation(err, ctx.state.principal ?? ANONYMOUS);
  const onGrpcError = (err: unknown, authorization: string | undefined) => {
    if (!(err instanceof EmulatorError) || !err.detail?.violation) return;
    iam.caller(authorization).then(
      (caller) => reportViolation(err, caller.principal),
      () => reportViolation(err, ANONYMOUS),
    );
  };

  return {
    iam,
    tokens,
    grpcAuthorize,
    onHttpError,
    onGrpcError,
    guard,
    dockerAuth,
    held: (caller, repo, requested) => iam.held(caller ?? { principal: d.mode === 'open' ? LOCAL_OWNER : ANONYMOUS, groups: [] }, repo, requested),
    handlers: { oauthToken, mintToken, setGroup },
    virtualAccess: { mayRead: (virtual, upstream) => iam.serviceAgentMay(virtual.project, upstream, 'artifactregistry.repositories.readViaVirtualRepository') },
  };
}

/** Header carrying the admin token (query `adminToken` on the dashboard page, which a browser opens by URL). */
export const ADMIN_TOKEN_HEADER = 'x-emulator-admin-token';
/** Routes of the emulator's own administration: token minting, groups, service accounts and keys, project policies, the page holding the dashboard token, the clock, cleanup and GC runs. */
const ADMIN_ROUTES = new Set(['emulator.iam.mintToken', 'emulator.iam.setGroup', 'ui.page.get', 'emulator.clock.set', 'emulator.cleanup.run', 'emulator.gc.run',
  'emulator.faults.add', 'emulator.faults.clear', 'emulator.offline.set', 'emulator.vulndb.import',
  // runs a scan of any image, whatever the caller may read (docs/scanning.md)
  'emulator.scans.run',
  // a cleanup report names deleted packages whatever the caller may read
  'emulator.cleanup.last',
  // names members' packages whatever the caller may read (docs/virtual.md)
  'emulator.warnings.get',
  // the config file's path and problems; applying it changes repositories and IAM (docs/config.md)
  'emulator.config.get', 'emulator.config.apply',
  // deletes everything
  'emulator.reset',
  // writes a copy of everything to a path of the caller's choosing
  'emulator.export']);

export function isAdminRoute(routeName: string | undefined): boolean {
  return routeName !== undefined && (ADMIN_ROUTES.has(routeName) || routeName.startsWith('control.admin.'));
}

/**
 * Loopback callers use the admin surface freely; any other caller (decided by the socket's remote address, never
 * by Host or X-Forwarded-For) must send the admin token printed at start.
 */
export function assertAdminAllowed(ctx: Pick<AppContext, 'state' | 'req' | 'query' | 'get'>, adminToken: string): void {
  if (!isAdminRoute(ctx.state.routeName) || isLoopbackAddress(ctx.req.socket.remoteAddress)) return;
  const query = ctx.state.routeName === 'ui.page.get' ? ctx.query.adminToken : undefined;
  const given = ctx.get(ADMIN_TOKEN_HEADER) || (typeof query === 'string' ? query : '');
  if (given && safeEqual(given, adminToken)) return;
  throw new EmulatorError(
    'PERMISSION_DENIED',
    `The emulator's administration endpoints need its admin token from callers beyond loopback: send it in the ${ADMIN_TOKEN_HEADER} header (the dashboard page also takes ?adminToken=). It is printed at start.`,
  );
}

/** gRPC method → the operation id of the REST route doing the same (iam/permissions.ts). */
const GRPC_OPERATIONS: Record<string, string> = {
  ListRepositories: 'control.repositories.list', GetRepository: 'control.repositories.get', CreateRepository: 'control.repositories.create',
  UpdateRepository: 'control.repositories.update', DeleteRepository: 'control.repositories.delete',
  GetIamPolicy: 'control.repositories.getIamPolicy', SetIamPolicy: 'control.repositories.setIamPolicy', TestIamPermissions: 'control.repositories.testIamPermissions',
  ListPackages: 'control.packages.list', GetPackage: 'control.packages.get', UpdatePackage: 'control.packages.update', DeletePackage: 'control.packages.delete',
  ListVersions: 'control.versions.list', GetVersion: 'control.versions.get', UpdateVersion: 'control.versions.update', DeleteVersion: 'control.versions.delete',
  BatchDeleteVersions: 'control.versions.batchDelete',
  ListTags: 'control.tags.list', GetTag: 'control.tags.get', CreateTag: 'control.tags.create', UpdateTag: 'control.tags.update', DeleteTag: 'control.tags.delete',
  ListFiles: 'control.files.list', GetFile: 'control.files.get', UpdateFile: 'control.files.update', DeleteFile: 'control.files.delete',
  ListDockerImages: 'control.dockerImages.list', GetDockerImage: 'control.dockerImages.get',
  ListNpmPackages: 'control.npmPackages.list', GetNpmPackage: 'control.npmPackages.get',
  ListPythonPackages: 'control.pythonPackages.list', GetPythonPackage: 'control.pythonPackages.get',
  ListMavenArtifacts: 'control.mavenArtifacts.list', GetMavenArtifact: 'control.mavenArtifacts.get',
  GetProjectSettings: 'control.projectSettings.get', UpdateProjectSettings: 'control.projectSettings.update',
  ListLocations: 'control.locations.list', GetLocation: 'control.locations.get', GetOperation: 'control.operations.get',
  ImportAptArtifacts: 'control.aptArtifacts.import', ImportYumArtifacts: 'control.yumArtifacts.import',
  ListRules: 'control.rules.list', GetRule: 'control.rules.get', CreateRule: 'control.rules.create', UpdateRule: 'control.rules.update', DeleteRule: 'control.rules.delete',
  ListAttachments: 'control.attachments.list', GetAttachment: 'control.attachments.get', CreateAttachment: 'control.attachments.create', DeleteAttachment: 'control.attachments.delete',
  GetVPCSCConfig: 'control.vpcscConfig.get', UpdateVPCSCConfig: 'control.vpcscConfig.update', ExportArtifact: 'control.repositories.exportArtifact',
};

/** The resource a request names: name, parent, resource, or the name inside the message it updates. */
function resourceOf(request: Record<string, unknown>): string {
  for (const key of ['name', 'parent', 'resource', 'repository']) if (typeof request[key] === 'string') return request[key];
  for (const value of Object.values(request)) {
    if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') return (value as { name: string }).name;
  }
  return '';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
