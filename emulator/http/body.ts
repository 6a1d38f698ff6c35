// Per-route body reading with a size limit (there is no global body parser: blob uploads stream).
import { EmulatorError, type ErrorCode } from '../core/errors.js';
import type { AppContext } from './context.js';

/** Reads the whole request body, refusing more than `limit` bytes with `tooLarge`. */
export async function readBody(ctx: AppContext, limit: number, tooLarge: ErrorCode = 'INVALID_ARGUMENT'): Promise<Buffer> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) {
    throw new EmulatorError(tooLarge, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limit) {
      ctx.req.resume();
      throw new EmulatorError(tooLarge, `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads and parses a JSON body (empty body = `{}`); INVALID_ARGUMENT when it is not JSON, or when its root is
 * not an object (`null`, an array, a string, a number), as Google's front end answers "Root element must be
 * a message" — every JSON body of the emulator is a request message.
 */
export async function readJson(ctx: AppContext, limit = 4 << 20): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx, limit);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Invalid JSON payload received. Root element must be a message, not ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}.`);
  }
  return parsed as Record<string, unknown>;
}
