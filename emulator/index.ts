// The public facade and composition root: createEmulator(options) builds one self-contained emulator
// (no module-level state, so several can run in one process) and starts it listening.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve as resolvePath } from 'node:path';
import { systemClock, VirtualClock, type Clock } from './core/clock.js';
import { EmulatorError } from './core/errors.js';
import { parseRepositoryName } from './core/names.js';
import { runCleanup, type CleanupReport } from './content/cleanup-runner.js';
import { EventBus } from './core/events.js';
import { randomIds, type IdGenerator } from './core/ids.js';
import { silentLogger, type Logger } from './core/logger.js';
import { isKnownLocation } from './core/names.js';
import { createControlApi, createControlModule, VirtualShadowing } from './control/index.js';
import type { GrpcServer } from './control/grpc/server.js';
import { createEmulatorApiModule } from './control/emulator-api.js';
import { UpstreamConditions } from './remote/faults.js';
import type { VirtualAccess } from './content/virtual.js';
import { UpstreamClient, type UpstreamClientOptions } from './remote/upstream-client.js';
import { SecretsFile } from './remote/secrets.js';
import { npmjsRegistry } from './remote/npm-registry.js';
import { createDockerModule } from './formats/docker/index.js';
import type { GcrHosts } from './formats/docker/handlers/deps.js';
import { createGcrHosts } from './control/gcr-hosts.js';
import { createPythonModule } from './formats/python/index.js';
import { createMavenModule, MAVEN_CENTRAL_URL_VAR } from './formats/maven/index.js';
import { createGenericModule } from './formats/generic/index.js';
import { createGoModule, GOPROXY_URL_VARIABLE } from './formats/go/index.js';
import { createYumModule } from './formats/yum/index.js';
import { createAptModule } from './formats/apt/index.js';
import { createRepoSigner, type RepoSigner } from './content/repo-signing.js';
import { resolveGcsUris } from './storage/gcs-source.js';
import { exportSnapshot, importSnapshot, type ExportResult } from './storage/snapshot.js';
import type { ProgressFactory } from './core/progress.js';
import { ConfigError, ConfigFile, type ConfigStatus } from './config/index.js';
import { createUploadModule } from './control/upload/index.js';
import { OperationStore } from './control/operations.js';
import { createNpmModule } from './formats/npm/index.js';
import type { DockerAuth } from './formats/docker/handlers/token.js';
import { REPOSITORY_KEY, REPOSITORY_TABLE, repositoryShardKey, type RepositoryRecord } from './core/repository.js';
import type { RepositoryLocator } from './http/dispatch.js';
import type { MetaStore } from './storage/meta-store.js';
import type { IamMode } from './iam/guard.js';
import { IdentityStore } from './iam/identities.js';
import { IamPolicyService } from './iam/repository-policies.js';
import { createSecurity } from './security.js';
import { createApp } from './http/app.js';
import type { FormatModule } from './http/format-module.js';
import type { ContentPolicy } from './content/content-layer.js';
import { immutableTagsPolicy } from './content/immutable-tags.js';
import { listen } from './http/server.js';
import { Scheduler } from './jobs/scheduler.js';
import type { BlobStore } from './storage/blob-store.js';
import { FsBlobStore } from './storage/fs-blob-store.js';
import { LowMetaStore, type CompactionOptions } from './storage/low-meta-store.js';
import { DataPaths } from './storage/paths.js';
import { UploadSessions } from './storage/uploads.js';
import { createUiModule, locateUiRoots } from './ui/index.js';
import { VulnDb } from './scanning/vulndb.js';
import { seedIfEmpty } from './scanning/seed.js';
import { Scanner } from './scanning/scanner.js';
import { OccurrenceStore } from './scanning/occurrences.js';
import { OccurrenceQueries } from './scanning/occurrences-query.js';
import { extractInventory } from './scanning/inventory/index.js';
import type { ExtractInventory } from './scanning/inventory/types.js';
import { analysisAccess, analysisRoutes, scanRoutes, type AnalysisAccess } from './control/analysis-api.js';
import { binauthzAccess, binauthzRoutes } from './control/binauthz-api.js';
import { DeployPolicies } from './scanning/deploy-policy-store.js';
import type { PullPolicy } from './core/pull-policy.js';
import type { DownloadRules } from './core/download-rules.js';
import { DownloadRuleStore } from './content/download-rules.js';
import { VpcscConfigStore } from './content/vpcsc.js';
import { Routes } from './http/routes.js';

export type { EmulatorEvent, EmulatorEventMap, EmulatorEventType } from './core/events.js';
export { EventBus } from './core/events.js';
export { ManualClock, systemClock, VirtualClock, type Clock } from './core/clock.js';
export type { CleanupReport } from './content/cleanup-runner.js';
export { createLineLogger, silentLogger, type Logger } from './core/logger.js';
export { ShardUnreadableError } from './storage/low-meta-store.js';
export { ConfigError, CONFIG_SCHEMA, findDefaultConfig, type ConfigStatus } from './config/index.js';
export { SnapshotError, type ExportResult } from './storage/snapshot.js';
export { startEmulator, type EmulatorFixture, type FixtureOptions, type FixtureUrls } from './fixture.js';

export interface EmulatorOptions {
  /** where blobs and metadata live (created if missing) */
  dataDir: string;
  /** interface to listen on; 127.0.0.1 unless told otherwise */
  host?: string;
  /** 0 (the default) picks a free port */
  port?: number;
  defaultProject?: string;
  /** location for requests that do not name one in the Host header (default us-central1) */
  defaultLocation?: string;
  /** where progress of long work goes (snapshot exports and imports, preloads, GC, scans; docs/fixture.md); none by default, stderr in the CLI */
  progress?: ProgressFactory;
  /** a snapshot (ar-emulator export) to start from: verified, then copied into the data dir, which must be empty */
  importSnapshot?: string;
  /** the config file applied at start and watched (docs/config.md); an invalid one fails the start with ConfigError */
  configFile?: string;
  /** watch the config file and apply its edits live (default true) */
  watchConfig?: boolean;
  /** where `gs://BUCKET/OBJECT` of `aptArtifacts:import` / `yumArtifacts:import` is read: ROOT/BUCKET/OBJECT (default DATADIR/gcs) */
  gcsRoot?: string;
  /** the real time the emulator's virtual clock starts from (tests pass a ManualClock); the system clock by default */
  clock?: Clock;
  /** --offline: no remote repository contacts its upstream (switchable later through POST /_emulator/offline) */
  offline?: boolean;
  /** --secrets FILE: JSON or YAML map from Secret Manager version names to secret values (remote upstream credentials) */
  secretsFile?: string;
  /** remote repositories' upstream timeouts and redirect limit (defaults: connect 10 s, read 30 s, 5 redirects; tests shorten them) */
  upstreamClient?: UpstreamClientOptions;
  /** how often, in emulator time, every repository's cleanup policies run (default 24 h; advancing the clock past it runs them) */
  cleanupIntervalMs?: number;
  /**
   * false: the emulator never collects garbage on its own (shortly after start, after deletes); `POST /_emulator/gc`
   * and collectGarbage() still do. Tests that count what one collection reclaims turn it off. Default true.
   */
  autoGc?: boolean;
  logger?: Logger;
  ids?: IdGenerator;
  /** upload sessions idle longer than this are purged (default 24 h) */
  uploadTtlMs?: number;
  /** `open` (default): no credentials needed, sent ones are checked; `enforce`: IAM decides every request */
  iam?: IamMode;
  /** plaintext gRPC control plane: 0 (the default) picks a free port; false turns it off */
  grpcPort?: number | false;
  /** folders the dashboard at /ui is served from (default: renderer/public and dist/renderer of this package) */
  uiDirs?: string[];
  /** host names accepted in the Host header besides localhost, 127.0.0.1, [::1], the listen host and *.pkg.dev */
  allowedHosts?: string[];
  /**
   * When metadata journals are compacted into snapshots (default: once a journal outgrows 1 MiB and twice its
   * snapshot). Crash tests make compaction frequent with it (the CLI reads AR_EMULATOR_COMPACTION_BYTES).
   */
  metaCompaction?: CompactionOptions;
  /** what callers beyond loopback must send to the admin surface (docs/iam.md); random per process by default */
  adminToken?: string;
  /**
   * Further format modules, registered after the built-in ones (a format under development, a test's toy format).
   * Each is reached at `/PROJECT/REPO/…` for repositories of its `repositoryFormat` and renders its own errors.
   */
  formats?: (deps: FormatDeps) => FormatModule[];
  /**
   * The advisory database's seed (docs/scanning.md): loaded on the first start, while the database is empty. A folder of
   * OSV JSON files; default resources/vulndb/seed; false loads none.
   */
  vulnDbSeed?: string | false;
  /** the layer inventory extractor scans use (docs/scanning.md); tests pass a fake one. Default: scanning/inventory's */
  extractInventory?: ExtractInventory;
}

/** What a format module is built from: the shared stores, bus and clock (STYLE §A.2: formats share them). */
export interface FormatDeps {
  meta: MetaStore;
  blobs: BlobStore;
  uploads: UploadSessions;
  events: EventBus;
  clock: Clock;
  defaultLocation: string;
  /** where a repository named PROJECT/REPO lives (the location rule every data-plane path follows; always set by createEmulator) */
  locateRepository?: RepositoryLocator;
  /** checked under the shard lock before a tag moves or goes or a version goes (immutable tags); always set by createEmulator */
  contentPolicy?: ContentPolicy;
  /** the one UpstreamConditions (faults, offline) every remote repository's upstream requests consult; always set by createEmulator */
  upstream?: UpstreamConditions;
  /** the upstream client and the secrets file of remote repositories; always set by createEmulator */
  remote?: { client: UpstreamClient; secrets: SecretsFile; presets?: { npmjs?: () => Promise<string> } };
  /** what a virtual repository asks before reading one of its members (IAM: the service agent's readViaVirtualRepository); always set by createEmulator */
  virtualAccess?: VirtualAccess;
  /** the deploy policy (Binary Authorization) container image pulls pass (docs/deploy-policy.md); always set by createEmulator */
  pullPolicy?: PullPolicy;
  /** the per-location OpenPGP key that signs Apt and Yum indexes (content/repo-signing.ts); always set by createEmulator */
  repoSigner?: RepoSigner;
  /** the repositories' download rules (rule.proto) every download passes, before any upstream fetch; always set by createEmulator */
  downloadRules?: DownloadRules;
}

/** THE registration list of the built-in formats: adding a format is one line here and its own folder. */
export function builtinFormats(d: FormatDeps & { dockerAuth: DockerAuth; gcr?: GcrHosts }): FormatModule[] {
  return [
    createDockerModule({ ...d, auth: d.dockerAuth }),
    createPythonModule(d),
    createNpmModule(d),
    createMavenModule({ ...d, mavenCentralUrl: () => process.env[MAVEN_CENTRAL_URL_VAR] || undefined }),
    createGenericModule(d),
    createGoModule({ ...d, goproxyPreset: () => process.env[GOPROXY_URL_VARIABLE] || undefined }),
    createYumModule(d),
    createAptModule(d),
  ];
}

export interface Emulator {
  /** http://HOST:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** port of the plaintext gRPC control plane, unless it was turned off */
  readonly grpcPort: number | undefined;
  readonly dataDir: string;
  readonly defaultProject: string;
  readonly defaultLocation: string;
  readonly events: EventBus;
  /** the admin token callers beyond loopback send in X-Emulator-Admin-Token (docs/iam.md) */
  readonly adminToken: string;
  /** the virtual clock every time-dependent behaviour reads: advance it to age artifacts, expire tokens, run cleanup */
  readonly clock: VirtualClock;
  /** upstream faults and offline switches of remote repositories (what POST /_emulator/faults and /offline change) */
  readonly upstream: UpstreamConditions;
  /** A consistent, checksummed snapshot of the data dir into `dir` while serving (docs/fixture.md); the previous one at `dir` stays until it is complete. */
  exportSnapshot(dir: string): Promise<ExportResult>;
  /** Back to the seeded state: everything deleted, then the config file applied again (docs/config.md). */
  reset(): Promise<ConfigStatus | undefined>;
  /** the config file's state: applied, or invalid with its problems (undefined without a config file) */
  configStatus(): ConfigStatus | undefined;
  /** reads and applies the config file now (what `ar-emulator reset` will build on) */
  applyConfig(): Promise<ConfigStatus>;
  /** Runs a repository's cleanup policies now (`projects/P/locations/L/repositories/R`); dryRun overrides its setting. */
  runCleanup(repository: string, opts?: { dryRun?: boolean }): Promise<CleanupReport>;
  /** Deletes every blob nothing references, now (safe during pushes). */
  collectGarbage(): Promise<{ blobsDeleted: number; bytesReclaimed: number }>;
  /** Stops accepting requests, lets in-flight ones finish (up to graceMs), flushes metadata. */
  stop(graceMs?: number): Promise<void>;
}

const require = createRequire(import.meta.url);
const VERSION = readVersion();

function readVersion(): string {
  // ../package.json from the sources, ../../package.json from dist/emulator
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (require(candidate) as { version: string }).version;
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
}

export async function createEmulator(options: EmulatorOptions): Promise<Emulator> {
  const clock = new VirtualClock(options.clock ?? systemClock);
  const upstream = new UpstreamConditions(clock, options.offline);
  const logger = options.logger ?? silentLogger;
  const ids = options.ids ?? randomIds;
  const host = options.host ?? '127.0.0.1';
  const defaultLocation = options.defaultLocation ?? 'us-central1';
  const defaultProject = options.defaultProject ?? 'local-project';
  if (!isKnownLocation(defaultLocation)) throw new Error(`unknown default location "${defaultLocation}"`);
  const startedAt = Date.now();
  const scheduler = new Scheduler(logger.child('jobs'));

  const paths = new DataPaths(options.dataDir);
  // a snapshot goes into an empty data dir before anything reads it (checked first: a tampered one is refused)
  if (options.importSnapshot) await importSnapshot(options.importSnapshot, paths.root, options.progress);
  mkdirSync(paths.root, { recursive: true });
  const events = new EventBus(() => clock.now(), logger.child('events'));
  const meta = new LowMetaStore(paths, logger.child('storage'), options.metaCompaction);
  await meta.load();
  const blobs = new FsBlobStore(paths, ids);
  await blobs.init();
  const uploads = new UploadSessions(paths, blobs, clock, ids, logger.child('uploads'));
  uploads.init();
  const vulndb = new VulnDb(meta, clock);
  // the seed is loaded once the server is ready (below); the advisory database's API answers after it
  let seedLoaded = () => {};
  const seeded = new Promise<void>((resolve) => (seedLoaded = resolve));
  const vulndbApi = {
    importBody: async (body: Buffer, contentType: string | undefined) => {
      await seeded;
      const summary = await vulndb.importBody(body, contentType);
      // continuous analysis: stored images are scanned again against what changed
      if (summary.added + summary.updated > 0) events.emit('vulndb.imported', { added: summary.added, updated: summary.updated, advisories: summary.advisories });
      return summary;
    },
    summary: async () => (await seeded, vulndb.summary()),
  };
  let url = '';
  let registryHost = '';
  const shutdown = new AbortController();
  const identities = new IdentityStore(meta, clock);
  const uiToken = randomBytes(32).toString('base64url');
  const adminToken = options.adminToken || randomBytes(24).toString('base64url');
  const security = await createSecurity({ mode: options.iam ?? 'open', identities, policies: new IamPolicyService(meta), events, clock, dashboardToken: uiToken, adminToken });
  const locateRepository = repositoryLocator(meta, defaultLocation);
  const remote = { client: new UpstreamClient(upstream, options.upstreamClient), secrets: new SecretsFile(options.secretsFile), presets: { npmjs: npmjsRegistry() } };
  // the deploy policy reads the scans' findings (the occurrences store is built below, before any request)
  const deployPolicies = new DeployPolicies({ meta, clock, events, occurrences: () => occurrences, attestations: () => inventories.get('DOCKER')?.attestations });
  const downloadRules = new DownloadRuleStore(meta, logger.child('rules'));
  const vpcsc = new VpcscConfigStore(meta);
  upstream.setPerimeter((repository) => vpcsc.denial(repository));
  const formatDeps: FormatDeps = { meta, blobs, uploads, events, clock, defaultLocation, locateRepository, contentPolicy: immutableTagsPolicy(), upstream, remote, virtualAccess: security.virtualAccess, pullPolicy: deployPolicies, repoSigner: createRepoSigner({ meta, clock }), downloadRules };
  // gcr.io hosts (docs/gcr.md): create-on-push goes through the control plane built below
  const gcr = createGcrHosts({ meta, createRepository: (req) => controlApi.createRepository(req) });
  const formats = [...builtinFormats({ ...formatDeps, dockerAuth: security.dockerAuth, gcr }), ...(options.formats?.(formatDeps) ?? [])];
  const inventories = new Map(formats.flatMap((f) => (f.inventory ? [[f.inventory.format, f.inventory] as const] : [])));
  // One garbage collection at a time: a run asked for during another waits for it, then sweeps again.
  let gcChain: Promise<unknown> = Promise.resolve();
  const gcLogger = logger.child('gc');
  const gc = () => {
    const run = gcChain.then(() => collectGarbage(blobs, formats, gcLogger, options.progress));
    gcChain = run.catch(() => {});
    return run;
  };
  // One cleanup run at a time: a scheduled run and one asked for meanwhile would both plan the same deletions, and
  // the second would report them as failed. A run waits for the one before it, then plans from what is left.
  let cleanupChain: Promise<unknown> = Promise.resolve();
  const cleanupRecord = (record: RepositoryRecord, dryRun: boolean | undefined): Promise<CleanupReport> => {
    const run = cleanupChain.then(async () => {
      // read again: the repository may have changed, or gone, while this run waited
      const current = meta.get(repositoryShardKey(record))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
      if (!current) throw new EmulatorError('NOT_FOUND', `Repository projects/${record.project}/locations/${record.location}/repositories/${record.repository} was not found.`);
      const report = await runCleanup(current, inventories.get(current.format), clock, { dryRun });
      events.emit('cleanup.completed', { repository: report.repository, dryRun: report.dryRun, deleted: report.deleted.slice(0, 1000), keptCount: report.keptCount });
      return report;
    });
    cleanupChain = run.catch(() => {});
    return run;
  };
  const cleanupNamed = async (repository: string, dryRun: boolean | undefined): Promise<CleanupReport> => {
    const ref = parseRepositoryName(repository);
    const record = ref && meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (!record) throw new EmulatorError('NOT_FOUND', `Repository ${repository.slice(0, 200)} was not found.`);
    return cleanupRecord(record, dryRun);
  };
  const operations = new OperationStore(ids);
  const gcsRoot = options.gcsRoot ? resolvePath(options.gcsRoot) : join(paths.root, 'gcs');
  const controlApi = createControlApi({
    meta, events, clock, ids, registryHost: () => registryHost, inventories, held: security.held, operations,
    repositoryFormats: formats.flatMap((f) => (f.repositoryFormat ? [f.repositoryFormat] : [])),
    repositoryValidators: new Map(formats.flatMap((f) => (f.repositoryFormat && f.validateRepositoryConfig ? [[f.repositoryFormat, f.validateRepositoryConfig.bind(f)] as const] : []))),
    logger: logger.child('control'), virtualAccess: security.virtualAccess,
    importKinds: formats.flatMap((f) => f.importKinds ?? []),
    importSources: (uris, wild) => resolveGcsUris(gcsRoot, uris, wild),
    rules: downloadRules, vpcsc, gcsRoot,
  });
  const shadowing = new VirtualShadowing(meta, inventories, security.virtualAccess);
  const arControl = createControlModule(controlApi, { identities, tokenUri: () => `${url}/token` });
  // Container Analysis (occurrences of the scans) shares the control plane's /v1/ prefix, port and error dialect
  const occurrences = new OccurrenceStore(meta, clock);
  const scanner = new Scanner({
    events, scheduler, clock, logger: logger.child('scanning'), store: occurrences, vulndb, ...(options.progress ? { progress: options.progress } : {}),
    images: inventories.get('DOCKER')?.images, extract: options.extractInventory ?? extractInventory,
    repository: (ref) => meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY),
  });
  const analysis: AnalysisAccess = new OccurrenceQueries({
    store: occurrences, vulndb, scanner, images: inventories.get('DOCKER')?.images,
    attestations: () => inventories.get('DOCKER')?.attestations, clock,
    locate: (project, repository) => {
      const found = locateRepository(project, repository, undefined);
      return found && !('several' in found) ? found.location : undefined;
    },
  });
  const control = {
    ...arControl,
    routes: new Routes([...arControl.routes.all, ...analysisRoutes({ analysis }), ...binauthzRoutes({ binauthz: deployPolicies })]),
    access: (name: string, params: Record<string, string>, ctx: Parameters<NonNullable<typeof arControl.access>>[2]) =>
      analysisAccess(name, params) ?? binauthzAccess(name, params) ?? arControl.access?.(name, params, ctx),
  };
  const policy = {
    clock,
    cleanup: (repository: string, dryRun: boolean | undefined) => cleanupNamed(repository, dryRun),
    gc: () => gc(),
  };
  const api = createEmulatorApiModule({ events, version: VERSION, startedAt, url: () => url, iamHandlers: security.handlers, policy,
    config: () => (config ? { status: () => config.status, apply: () => config.apply() } : undefined),
    reset: () => emulator.reset(),
    exportSnapshot: (dir) => emulator.exportSnapshot(dir),
    virtualWarnings: (name) => {
      const ref = parseRepositoryName(name);
      const record = ref && meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
      return record ? shadowing.warningsOf(record) : undefined;
    },
    upstream, vulndb: vulndbApi, repositoryMode: (name) => {
      const ref = parseRepositoryName(name);
      return ref ? meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY)?.mode : undefined;
    },
  });
  let port = 0;
  const ui = createUiModule({
    roots: options.uiDirs ?? locateUiRoots(),
    token: uiToken,
    info: () => ({
      version: VERSION, url, host, port, grpcPort: grpc?.port, dataDir: paths.root, defaultProject, defaultLocation,
      iamMode: options.iam ?? 'open', startedAt: new Date(startedAt).toISOString(),
    }),
  });
  const app = createApp({
    guard: security.guard,
    logger: logger.child('http'),
    clock,
    ids,
    shutdown: shutdown.signal,
    modules: [...formats, control, createUploadModule({ uploads, ids, operations, kinds: formats.flatMap((f) => f.uploadKinds ?? []) }), ui],
    fallback: api,
    locateRepository,
    hostGuard: { listenHost: host, extraHosts: options.allowedHosts, token: uiToken },
    onError: security.onHttpError,
  });
  for (const route of scanRoutes({ analysis })) api.routes.add(route);
  const server = await listen(app, host, options.port ?? 0);
  let grpc: GrpcServer | undefined;
  if (options.grpcPort !== false) {
    try {
      // Loaded once the HTTP server listens: @grpc/grpc-js and the protos are a third of the startup work, and
      // registry clients need not wait for them.
      const { startGrpcServer } = await import('./control/grpc/server.js');
      grpc = await startGrpcServer({ api: controlApi, host, port: options.grpcPort ?? 0, logger: logger.child('grpc'), authorize: security.grpcAuthorize, onError: security.onGrpcError });
    } catch (err) {
      await server.stop(0);
      await meta.close();
      throw err;
    }
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  url = `http://${urlHost}:${server.port}`;
  port = server.port;
  registryHost = `localhost:${server.port}`;

  const ttl = options.uploadTtlMs ?? 24 * 3600_000;
  const purgeUploads = () => uploads.purge(new Date(clock.now().getTime() - ttl));
  scheduler.every('purge-uploads', Math.min(ttl, 3600_000), purgeUploads);
  // Garbage collection: once shortly after startup (blobs left unreferenced by a crash or an earlier run),
  // then after deletes, debounced, so the blobs of deleted images and manifests do not wait for a restart.
  for (const m of formats) if (m.warmUp) scheduler.after(`warm-up-${m.id}`, 0, () => m.warmUp!());
  // the seed advisory database: after the server is ready, so it costs no startup time; a seed that cannot be read
  // leaves the database empty and the emulator serving
  let seedRun: Promise<void> | undefined;
  if (options.vulnDbSeed === false) seedLoaded();
  else {
    scheduler.after('vulndb-seed', 0, () => (seedRun = seedIfEmpty(vulndb, options.vulnDbSeed || undefined).then(
      (done) => {
        if (!done) return;
        logger.child('vulndb').info('loaded the seed advisory database', { added: done.added, rejected: done.rejected });
        if (done.added + done.updated > 0) events.emit('vulndb.imported', { added: done.added, updated: done.updated, advisories: done.advisories });
      },
      (err: unknown) => logger.child('vulndb').warn('the seed advisory database could not be loaded', { err: (err as Error).message }),
    ).finally(seedLoaded)));
  }
  if (options.autoGc !== false) {
    scheduler.after('collect-garbage', 1_000, gc);
    for (const type of ['artifact.deleted', 'repository.deleted'] as const) {
      events.on(type, () => scheduler.request('collect-garbage', GC_AFTER_DELETE_MS, gc));
    }
  }

  // Cleanup: every cleanupIntervalMs of emulator time. A real-time tick notices when it is due, and so does every move
  // of the virtual clock (advancing it 30 days runs the policies at once).
  const cleanupEvery = options.cleanupIntervalMs ?? 24 * 3600_000;
  const cleanupLogger = logger.child('cleanup');
  let nextCleanup = clock.now().getTime() + cleanupEvery;
  const cleanupIfDue = async () => {
    if (clock.now().getTime() < nextCleanup) return;
    nextCleanup = clock.now().getTime() + cleanupEvery;
    for (const record of allRepositories(meta)) {
      if (!record.cleanupPolicies || Object.keys(record.cleanupPolicies).length === 0) continue;
      // one repository's failure (deleted meanwhile, a storage error) does not stop the others
      await cleanupRecord(record, undefined).catch((err: unknown) => cleanupLogger.warn('scheduled cleanup failed', { repository: record.repository, err: (err as Error).message }));
    }
  };
  scheduler.every('cleanup', Math.min(cleanupEvery, 60_000), cleanupIfDue);
  clock.onChange(() => {
    // a move back (reset, set into the past) must not leave the next run more than one interval away
    nextCleanup = Math.min(nextCleanup, clock.now().getTime() + cleanupEvery);
    scheduler.request('cleanup-now', 0, cleanupIfDue);
    // and uploads left for longer than their TTL of emulator time go at once, not at the next real-time tick
    scheduler.request('purge-uploads-now', 0, purgeUploads);
  });

  // The config file (docs/config.md): applied before the emulator is announced, then watched.
  const config = options.configFile
    ? new ConfigFile({
        file: options.configFile, meta, events, clock, logger: logger.child('config'), ...(options.progress ? { progress: options.progress } : {}),
        target: {
          createRepository: (req) => controlApi.createRepository(req),
          updateRepository: (req) => controlApi.updateRepository(req),
          deleteRepository: (req) => controlApi.deleteRepository(req),
          getRepository: (req) => controlApi.getRepository(req),
          listPackages: (req) => controlApi.listPackages(req),
          getIamPolicy: (req) => controlApi.getIamPolicy(req),
          setIamPolicy: (req) => controlApi.setIamPolicy(req),
          getRule: (req) => controlApi.getRule(req),
          createRule: (req) => controlApi.createRule(req),
          updateRule: (req) => controlApi.updateRule(req),
          deleteRule: (req) => controlApi.deleteRule(req),
          projectPolicy: (project) => identities.projectPolicy(project) as Record<string, unknown> | undefined,
          setProjectPolicy: (project, policy) => identities.setProjectPolicy(project, policy),
          serviceAccountExists: (email) => identities.serviceAccounts(email.split('@')[1]!.replace(/\.iam\.gserviceaccount\.com$/, '')).some((a) => a.email === email),
          createServiceAccount: (project, accountId, displayName) => identities.createServiceAccount(project, accountId, displayName),
          createKey: async (email) => (await identities.createKey(email, `${url}/token`)).file,
          preload: async (repository, file, metadata) => {
            // the format's own upload method (the one `/upload/v1/…:create` runs), fed from the file
            const ref = parseRepositoryName(repository);
            const record = ref && meta.get(repositoryShardKey(ref))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
            if (!ref || !record) throw new EmulatorError('NOT_FOUND', `Repository ${repository} was not found.`);
            // a format's own publish path (npm tarballs, wheels, jars, images), else its `…:create` upload method
            const own = formats.find((f) => f.preloadKind?.format === record.format)?.preloadKind;
            const isDir = (await stat(file)).isDirectory();
            if (isDir && !own?.directories) throw new EmulatorError('INVALID_ARGUMENT', `${file} is a directory: only an OCI image layout (into a DOCKER repository) may be one.`);
            if (own) return own.preload(ref, file, metadata);
            const kind = PRELOAD_KINDS[record.format] && formats.flatMap((f) => f.uploadKinds ?? []).find((k) => k.kind === PRELOAD_KINDS[record.format]);
            if (!kind) throw new EmulatorError('INVALID_ARGUMENT', `Preloading into a ${record.format} repository is not supported.`);
            let prepared;
            try {
              prepared = kind.prepare(ref, metadata);
            } catch (err) {
              if (err instanceof EmulatorError && err.code === 'ALREADY_EXISTS') return 'exists';
              throw err;
            }
            const p = prepared;
            return uploads.ingest
              .ingest(createReadStream(file), { algorithms: ['md5'], limit: { bytes: p.maxBytes, code: 'INVALID_ARGUMENT' } }, (blob) => p.commit(blob))
              .then(() => 'created' as const, (err: unknown) => {
                if (err instanceof EmulatorError && err.code === 'ALREADY_EXISTS') return 'exists' as const;
                throw err;
              });
          },
        },
      })
    : undefined;
  let stopping: Promise<void> | undefined;
  const emulator: Emulator = {
    url,
    host,
    port: server.port,
    grpcPort: grpc?.port,
    dataDir: paths.root,
    defaultProject,
    defaultLocation,
    events,
    adminToken,
    clock,
    upstream,
    runCleanup: (repository, opts = {}) => cleanupNamed(repository, opts.dryRun),
    collectGarbage: () => gc(),
    stop(graceMs) {
      stopping ??= (async () => {
        events.emit('server.stopping', { reason: 'stop requested' });
        await config?.close();
        scheduler.stop();
        await scanner.stop();
        shutdown.abort();
        await Promise.all([server.stop(graceMs), grpc?.stop(graceMs)]);
        remote.client.close();
        // a seed still being written finishes before the metadata closes; one that never started never will
        await seedRun;
        seedLoaded();
        await meta.close();
      })();
      return stopping;
    },
    exportSnapshot: (dir) => {
      // the garbage collector waits: every blob the exported metadata names is still there to copy
      const run = gcChain.then(() => exportSnapshot({ paths, meta, dir, emulatorVersion: VERSION, now: clock.now(), ...(options.progress ? { progress: options.progress } : {}) }));
      gcChain = run.catch(() => {});
      return run.then((r) => {
        events.emit('emulator.exported', { dir: r.dir, files: r.files, bytes: r.bytes });
        return r;
      });
    },
    async reset() {
      // Back to the seeded state (docs/config.md "Reset"): every repository goes (with its artifacts, tags, IAM
      // policy and scan results), groups and project policies go, the clock, faults and offline switches are
      // cleared; then the config file, if any, is applied again from scratch.
      for (const record of [...allRepositories(meta)]) {
        await controlApi.deleteRepository({ name: `projects/${record.project}/locations/${record.location}/repositories/${record.repository}` }).catch((err: unknown) => {
          if (!(err instanceof EmulatorError && (err.code === 'NOT_FOUND' || err.code === 'REPOSITORY_NOT_FOUND'))) throw err;
        });
      }
      await identities.resetPolicies();
      upstream.clearFaults();
      upstream.setOffline(undefined, false);
      for (const r of upstream.offlineState().repositories) upstream.setOffline(r, false);
      clock.reset();
      await config?.forget();
      const status = config ? await config.apply() : undefined;
      await gc();
      events.emit('emulator.reset', { repositories: status?.last?.created.length ?? 0, config: status?.state ?? 'none' });
      return status;
    },
    configStatus: () => config?.status,
    applyConfig: async () => {
      if (!config) throw new EmulatorError('FAILED_PRECONDITION', 'The emulator was started without a config file (--config FILE).');
      return config.apply();
    },
  };
  if (config) {
    const status = await config.apply();
    if (status.state === 'invalid') {
      await emulator.stop(0);
      throw new ConfigError(status.problems);
    }
    if (options.watchConfig !== false) config.watch();
  }
  events.emit('server.started', { url, dataDir: paths.root });
  return emulator;
}

/** The upload method a config file's preload uses, by repository format (docs/config.md). */
const PRELOAD_KINDS: Record<string, string> = { APT: 'aptArtifacts', YUM: 'yumArtifacts', GO: 'goModules', GENERIC: 'genericArtifacts' };

/** How long after a delete the garbage collector runs: deletes in a burst (an image, a repository) share one run. */
const GC_AFTER_DELETE_MS = 1_000;

/**
 * Mark and sweep: deletes blobs no format's metadata references. Safe while uploads, mounts and manifest
 * pushes go on: see FsBlobStore.collectGarbage (holds plus rename-to-trash; no timestamps involved).
 */
async function collectGarbage(blobs: BlobStore, modules: FormatModule[], logger: Logger, progress?: ProgressFactory): Promise<{ blobsDeleted: number; bytesReclaimed: number }> {
  const { removed, bytes } = await blobs.collectGarbage(function* referenced() {
    for (const m of modules) yield* m.referencedBlobs?.() ?? [];
  }, progress);
  if (removed) logger.info('garbage collection removed unreferenced blobs', { removed, bytes });
  return { blobsDeleted: removed, bytesReclaimed: bytes };
}

/** Every repository's record, in shard order. */
function* allRepositories(meta: MetaStore): Generator<RepositoryRecord> {
  for (const shard of meta.list(['repos'])) {
    const record = shard.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
    if (record) yield record;
  }
}

/**
 * The repository a `/PROJECT/REPO/…` or `/v2/PROJECT/REPO/…` path names: in the Host's location, else the default
 * location, else the one location holding a repository of that name (`several` when more do: the client must say
 * which, by Host).
 */
function repositoryLocator(meta: MetaStore, defaultLocation: string): RepositoryLocator {
  const recordAt = (project: string, location: string, repository: string) =>
    meta.get(repositoryShardKey({ project, location, repository }))?.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY);
  return (project, repository, hostLocation) => {
    const asked = recordAt(project, hostLocation ?? defaultLocation, repository);
    if (asked || hostLocation) return asked && { location: asked.location, format: asked.format };
    const found = meta
      .list(['repos', project])
      .filter((s) => s.key[3] === repository)
      .map((s) => s.get<RepositoryRecord>(REPOSITORY_TABLE, REPOSITORY_KEY))
      .filter((r): r is RepositoryRecord => r !== undefined)
      .map((r) => ({ location: r.location, format: r.format }));
    return found.length > 1 ? { several: found } : found[0];
  };
}
