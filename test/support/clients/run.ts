// Runs a real client binary for a test: no shell, output captured, non-zero exit thrown as CommandError.
// Never interprets arguments through a shell, so image references and JSON pass through verbatim.
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Merged over process.env; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. Without it stdin is empty. */
  input?: string | Buffer;
  /** Kills the process (SIGKILL) after this long and throws. Default 180 s. */
  timeoutMs?: number;
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;
/** How much of each stream goes into an error message; the full text stays on the error object. */
const MESSAGE_TAIL_CHARS = 8_000;

export class CommandError extends Error {
  constructor(
    readonly commandLine: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    reason: string,
  ) {
    super(
      `${reason}: ${commandLine}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
    );
    this.name = 'CommandError';
  }
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const commandLine = [cmd, ...args].map(quoteForDisplay).join(' ');
  const env = mergeEnv(options.env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env, shell: false, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandError(commandLine, null, null, '', '', `cannot start (${error.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new CommandError(commandLine, code, signal, stdout, stderr, `timed out after ${timeoutMs} ms`));
      } else if (code !== 0) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new CommandError(commandLine, code, signal, stdout, stderr, why));
      } else {
        resolve({ stdout, stderr, exitCode: 0 });
      }
    });

    // A client that exits before reading stdin makes the write fail with EPIPE; its exit code tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

function mergeEnv(overrides: RunOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

function tail(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.length <= MESSAGE_TAIL_CHARS ? trimmed : `…${trimmed.slice(-MESSAGE_TAIL_CHARS)}`;
}
