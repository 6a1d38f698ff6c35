// Tells a client that went away (Ctrl-C during a pull, a closed browser tab, a reset connection) from a
// failure of the emulator: the first is normal traffic, logged at debug/info and never as an error.
import type { AppContext } from './context.js';

/** Error codes Node gives reads and writes on a connection the peer closed or reset. */
const DISCONNECT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_UNABLE_TO_PIPE']);

/** True for the errors a peer's disconnect produces (a request body cut off is `aborted`, ECONNRESET). */
export function isDisconnectError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && DISCONNECT_CODES.has(code)) || (err as { message?: unknown }).message === 'aborted';
}

/** True when the request's connection is gone: the body was cut off or the socket was closed. */
export function isClientGone(ctx: AppContext): boolean {
  const req = ctx.req;
  return (req.destroyed && !req.complete) || ctx.res.destroyed || req.socket.destroyed;
}
