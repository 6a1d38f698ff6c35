// What a client-settings snippet is made from and what it is: the inputs every renderer takes and the
// renderer interface that `print-settings` and the dashboard share. Pure types and helpers, no I/O.
import { EmulatorError } from '../core/errors.js';

/** How the snippet authenticates, when it does (absent: none in open mode, placeholders in enforce mode). */
export type SettingsCredential =
  /** an access token (`--token`, or one minted from `--key-file`): valid for an hour */
  | { kind: 'token'; token: string }
  /** gcloud's `--json-key`: the key file itself, base64, with the user name `_json_key_base64` */
  | { kind: 'jsonKey'; keyBase64: string; path: string };

export interface SettingsInput {
  /** HOST:PORT the clients reach the emulator at; see settingsHost() */
  host: string;
  project: string;
  location: string;
  /** the repository id (the last segment of its resource name) */
  repository: string;
  /** the running emulator's IAM mode, from GET /_emulator/info */
  iamMode: 'open' | 'enforce';
  /** npm only: `@scope`, so the registry line is `@scope:registry=` */
  scope?: string;
  credential?: SettingsCredential;
}

export interface SettingsSnippet {
  tool: string;
  /** the file contents (or commands) to paste, exactly as print-settings prints them to stdout */
  text: string;
  /** advice beside the snippet (print-settings writes it to stderr; the dashboard shows it below) */
  notes: string[];
}

/** One `print-settings` tool. Adding one (mvn, gradle, go, apt, yum) is a file and one line in render-settings.ts. */
export interface SettingsRenderer {
  /** the `print-settings` argument: `npm`, `python`, `docker` */
  tool: string;
  /** the repository format it configures, as the control plane names it (`NPM`, `PYTHON`, `DOCKER`) */
  format: string;
  render(input: SettingsInput): SettingsSnippet;
}

/** The environment variable npm reads the token from in an enforce-mode snippet without a credential. */
export const TOKEN_VARIABLE = 'AR_EMULATOR_TOKEN';

/**
 * A placeholder token for open mode: npm will not publish and twine will not upload without a credential,
 * and the emulator takes a token it could not have issued as the local owner (docs/iam.md, open mode).
 */
export const OPEN_MODE_TOKEN = 'ar-emulator-open-mode';

/**
 * The host for snippets: loopback names (127.0.0.0/8, ::1, localhost) become `localhost`, as in each
 * repository's `registryUri`, so the CLI and the dashboard print the same bytes. Other hosts stay as given.
 */
export function settingsHost(endpoint: string): string {
  const bare = endpoint.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(bare);
  if (!m || !m[1]) throw new EmulatorError('INVALID_ARGUMENT', `"${endpoint.slice(0, 80)}" is not HOST:PORT`);
  const name = m[1].toLowerCase();
  const loopback = name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
  return `${loopback ? 'localhost' : name}${m[2] ? `:${m[2]}` : ''}`;
}

/** `http://HOST/PROJECT/REPO/`: the real service's path (LOCATION-FORMAT.pkg.dev/PROJECT/REPO/) with the host swapped. */
export function repositoryUrl(input: SettingsInput): string {
  return `http://${input.host}/${input.project}/${input.repository}/`;
}

export function resourceName(input: SettingsInput): string {
  return `projects/${input.project}/locations/${input.location}/repositories/${input.repository}`;
}

/** The command that prints a token for this emulator, for comments and notes. */
export function tokenCommand(input: SettingsInput): string {
  return `ar-emulator auth print-access-token --endpoint ${input.host}`;
}

/** The comment lines every snippet starts its explanation with: which repository, which IAM mode. */
export function modeComment(input: SettingsInput): string {
  return input.iamMode === 'open'
    ? '# IAM mode open: the emulator needs no credentials from local callers.'
    : '# IAM mode enforce: every request is checked against IAM, so the client sends a credential.';
}
