// `ar-emulator` command line: `start` runs the emulator headless until SIGINT/SIGTERM, printing a readiness
// line and an export line in the style of the gcloud emulators; the other commands are in cli-tools.ts
// (auth, configure-docker, print-settings) and cli-policies.ts (clock, cleanup run, gc).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createEmulator, createLineLogger, findDefaultConfig, type Emulator } from './index.js';
import { PRINT_SETTINGS_USAGE, printSettings, tools } from './cli-tools.js';
import { POLICIES_HELP, POLICIES_USAGE, policyCommand } from './cli-policies.js';
import { FAULTS_HELP, FAULTS_USAGE, faultsCommand } from './cli-faults.js';
import { VULNDB_HELP, VULNDB_USAGE, vulndbCommand } from './cli-vulndb.js';
import { SCAN_HELP, SCAN_USAGE, scanCommand } from './cli-scan.js';
import { CONFIG_HELP, CONFIG_USAGE, configCommand } from './cli-config.js';
import { FIXTURE_HELP, FIXTURE_USAGE, fixtureCommand } from './cli-fixture.js';
import { GO_HELP, GO_USAGE, goCommand } from './cli-go.js';
import { parseDurationMs } from './core/duration.js';
import { progressTo } from './core/progress.js';

const USAGE = `Usage: ar-emulator start [--port PORT] [--host HOST] [--data-dir DIR] [--project ID] [--location LOC] [--log-level LEVEL]

  --port       port to listen on (default 8088; 0 picks a free one)
  --host       interface to listen on (default 127.0.0.1)
  --data-dir   where blobs and metadata are kept (default ~/.ar-emulator/data)
  --ephemeral  a temporary data dir, removed when the emulator stops
  --import     DIR: start from a snapshot (ar-emulator export); verified first, copied into an empty data dir
  --export-on-exit  DIR: on SIGINT/SIGTERM, a snapshot into DIR before stopping (a failed one keeps the previous)
  --project    default project (default local-project)
  --location   location for requests without a LOCATION-docker.pkg.dev Host (default us-central1)
  --log-level  debug | info | warn | error (default info)
  --log-format text (default: readable lines) | json (one JSON object per line, for machines)
  --grpc-port  port of the plaintext gRPC control plane (default 0: a free port; "off" disables it)
  --iam        open (default: no credentials needed) | enforce (every request is checked against IAM)
  --cleanup-interval  how often, in emulator time, cleanup policies run (default 24h; e.g. 6h, 30m, 86400s)
  --offline    no remote repository contacts its upstream (answers from its cache only; \`ar-emulator offline off\` ends it)
  --config     FILE: the config file (repositories, IAM policies, service accounts; docs/config.md), applied at start
               and watched; default ./ar-emulator.yaml, .yml or .json when one exists (--no-config: none)
  --gcs-root   DIR: where aptArtifacts:import / yumArtifacts:import read gs://BUCKET/OBJECT, as DIR/BUCKET/OBJECT (default DATA-DIR/gcs)
  --secrets    FILE: JSON or YAML map from Secret Manager versions (projects/P/secrets/S/versions/V) to values, for upstream credentials

       ar-emulator auth print-access-token [--principal user:EMAIL|serviceAccount:EMAIL | --key-file KEY.json] [--endpoint HOST:PORT]
       ar-emulator configure-docker [--endpoint HOST:PORT]
       ${PRINT_SETTINGS_USAGE}
       ${POLICIES_USAGE}
       ${FAULTS_USAGE}
       ${VULNDB_USAGE}
       ${SCAN_USAGE}
       ${CONFIG_USAGE}
       ${FIXTURE_USAGE}
       ${GO_USAGE}
  --endpoint   the running emulator (default $ARTIFACT_REGISTRY_EMULATOR_HOST, else localhost:8088)
  print-settings prints the .npmrc, .pypirc/pip.conf, docker, mvn, gradle, yum (.repo) or apt (sources.list) lines for a repository (docs/print-settings.md)
${POLICIES_HELP}
${FAULTS_HELP}
${VULNDB_HELP}
${SCAN_HELP}
${CONFIG_HELP}
${FIXTURE_HELP}
${GO_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'auth' || command === 'configure-docker') return tools(command, rest);
  if (command === 'print-settings') return printSettings(rest);
  if (command === 'clock' || command === 'cleanup' || command === 'gc') return policyCommand(command, rest);
  if (command === 'faults' || command === 'offline') return faultsCommand(command, rest);
  if (command === 'vulndb') return vulndbCommand(rest);
  if (command === 'scan') return scanCommand(rest);
  if (command === 'config') return configCommand(rest);
  if (command === 'env-init' || command === 'reset' || command === 'export') return fixtureCommand(command, rest);
  if (command === 'go') return goCommand(rest);
  if (command !== 'start') {
    process.stderr.write(`ar-emulator: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string', default: process.env.AR_EMULATOR_PORT ?? '8088' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string', default: process.env.AR_EMULATOR_DATA_DIR ?? join(homedir(), '.ar-emulator', 'data') },
        project: { type: 'string', default: 'local-project' },
        location: { type: 'string', default: 'us-central1' },
        'log-level': { type: 'string', default: 'info' },
        'grpc-port': { type: 'string', default: '0' },
        iam: { type: 'string', default: process.env.AR_EMULATOR_IAM ?? 'open' },
        'cleanup-interval': { type: 'string', default: '24h' },
        offline: { type: 'boolean', default: false },
        secrets: { type: 'string' },
        'gcs-root': { type: 'string', default: process.env.AR_EMULATOR_GCS_ROOT },
        config: { type: 'string', default: process.env.AR_EMULATOR_CONFIG },
        'no-config': { type: 'boolean', default: false },
        ephemeral: { type: 'boolean', default: false },
        'log-format': { type: 'string', default: process.env.AR_EMULATOR_LOG_FORMAT ?? 'text' },
        import: { type: 'string' },
        'export-on-exit': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`ar-emulator: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`ar-emulator: --port must be a number from 0 to 65535\n`);
    return 2;
  }
  const grpcPort = values['grpc-port'] === 'off' ? false : Number(values['grpc-port']);
  if (grpcPort !== false && (!Number.isInteger(grpcPort) || grpcPort < 0 || grpcPort > 65535)) {
    process.stderr.write(`ar-emulator: --grpc-port must be a number from 0 to 65535, or "off"\n`);
    return 2;
  }
  if (values.iam !== 'open' && values.iam !== 'enforce') {
    process.stderr.write('ar-emulator: --iam must be "open" or "enforce"\n');
    return 2;
  }
  const cleanupIntervalMs = parseDurationMs(values['cleanup-interval']);
  if (cleanupIntervalMs === undefined || cleanupIntervalMs < 60_000) {
    process.stderr.write('ar-emulator: --cleanup-interval must be a duration of at least a minute, like 24h, 30m or 86400s\n');
    return 2;
  }
  const configFile = values['no-config'] ? undefined : (values.config ?? findDefaultConfig(process.cwd()));
  if (values.config !== undefined && !values['no-config'] && !existsSync(values.config)) {
    process.stderr.write(`ar-emulator: --config ${values.config}: no such file\n`);
    return 2;
  }
  if (values.ephemeral && rest.some((a) => a === '--data-dir' || a.startsWith('--data-dir='))) {
    process.stderr.write('ar-emulator: --ephemeral makes its own data dir: leave out --data-dir\n');
    return 2;
  }
  const ephemeralDir = values.ephemeral ? mkdtempSync(join(tmpdir(), 'ar-emulator-')) : undefined;
  const dropEphemeral = () => {
    if (ephemeralDir) rmSync(ephemeralDir, { recursive: true, force: true });
  };
  const level = values['log-level'] as 'debug' | 'info' | 'warn' | 'error';
  if (values['log-format'] !== 'text' && values['log-format'] !== 'json') {
    process.stderr.write('ar-emulator: --log-format must be "text" or "json"\n');
    return 2;
  }
  const logger = createLineLogger({ level, format: values['log-format'], sink: (line) => process.stderr.write(`${line}\n`) });
  let emulator: Emulator;
  try {
    emulator = await createEmulator({
      dataDir: ephemeralDir ?? values['data-dir'],
      host: values.host,
      port,
      defaultProject: values.project,
      defaultLocation: values.location,
      grpcPort,
      iam: values.iam,
      cleanupIntervalMs,
      offline: values.offline,
      ...(values.secrets !== undefined ? { secretsFile: values.secrets } : {}),
      ...(values['gcs-root'] !== undefined ? { gcsRoot: values['gcs-root'] } : {}),
      ...(configFile ? { configFile } : {}),
      ...(values.import ? { importSnapshot: values.import } : {}),
      progress: progressTo({ tty: process.stderr.isTTY === true, write: (t) => void process.stderr.write(t) }),
      logger,
      ...compactionFromEnv(process.env.AR_EMULATOR_COMPACTION_BYTES),
    });
  } catch (err) {
    process.stderr.write(`[ar-emulator] failed to start: ${(err as Error).message}\n`);
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(`[ar-emulator] port ${port} is taken: stop what listens there, choose another with --port, or use --port 0 for a free one\n`);
    }
    dropEphemeral();
    return 1;
  }
  process.stdout.write(
    `[ar-emulator] Artifact Registry emulator ready at ${emulator.url} (data: ${emulator.dataDir})\n` +
      `[ar-emulator] dashboard at ${emulator.url}/ui/\n` +
      (/^(127\.|localhost$|::1$)/.test(emulator.host) ? '' : `[ar-emulator] admin token (callers beyond loopback send it in X-Emulator-Admin-Token; docs/iam.md): ${emulator.adminToken}\n`) +
      `export ARTIFACT_REGISTRY_EMULATOR_HOST=localhost:${emulator.port}\n` +
      (values.offline ? '[ar-emulator] offline: remote repositories answer from their caches only\n' : '') +
      (emulator.grpcPort ? `[ar-emulator] gRPC control plane (plaintext) at localhost:${emulator.grpcPort}\n` : ''),
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`[ar-emulator] ${signal} received, stopping\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const exported = values['export-on-exit']
        ? emulator.exportSnapshot(values['export-on-exit']).then(
            (r) => void process.stderr.write(`[ar-emulator] exported ${r.files} files to ${r.dir}\n`),
            (err: unknown) => void process.stderr.write(`[ar-emulator] export to ${values['export-on-exit']} failed (the previous export there is intact): ${(err as Error).message}\n`),
          )
        : Promise.resolve();
      exported.then(() => emulator.stop(10_000)).then(resolve, (err: unknown) => {
        process.stderr.write(`[ar-emulator] error while stopping: ${(err as Error).message}\n`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  dropEphemeral();
  process.stderr.write('[ar-emulator] stopped\n');
  return 0;
}

/**
 * AR_EMULATOR_COMPACTION_BYTES=N (for tests, e.g. the crash tests): compact a metadata journal into its
 * snapshot as soon as it holds more than N bytes, whatever the snapshot's size. Unset: the defaults.
 */
function compactionFromEnv(value: string | undefined): { metaCompaction?: { minJournalBytes: number; snapshotFactor: number } } {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? { metaCompaction: { minJournalBytes: n, snapshotFactor: 0 } } : {};
}

// Run directly (`node dist/emulator/cli.js start …`), not only through bin/ar-emulator.mjs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
