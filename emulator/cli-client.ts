// What the CLI's client commands (clock, cleanup, gc, faults, offline) share: one JSON call to a running emulator,
// and the failure that carries the exit status (1: the emulator refused or cannot be reached; 2: usage).

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2,
  ) {
    super(message);
  }
}

/** One JSON call to the running emulator; its error message (Google's JSON shape) becomes a CliFailure. */
export async function callEmulator(endpoint: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`http://${endpoint}${path}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new CliFailure(
      `cannot reach the emulator at ${endpoint}: ${cause?.code ?? cause?.message ?? (err as Error).message}. ` +
        'Is it running? Start it with `ar-emulator start`, or name it with --endpoint HOST:PORT (or $ARTIFACT_REGISTRY_EMULATOR_HOST).',
      1,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = (json as { error?: { message?: string } } | undefined)?.error?.message;
    throw new CliFailure(message ?? `HTTP ${res.status} ${text.slice(0, 200)}`.trim(), 1);
  }
  if (json === undefined) throw new CliFailure(`the emulator at ${endpoint} answered ${path} with something that is not JSON`, 1);
  return json;
}
