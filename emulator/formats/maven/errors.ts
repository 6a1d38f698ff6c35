// EmulatorError → what Maven clients read: the HTTP status and its reason phrase (wagon and maven-resolver print
// "status code: 409, reason phrase: …"), and a short text/plain body. A taken release path is 409 Conflict, a
// versionPolicy refusal or a bad checksum 400, a deploy into a remote/virtual repository 405.
import { ERRORS, type EmulatorError, type ErrorCode } from '../../core/errors.js';
import type { AppContext } from '../../http/context.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 400,
  RESOURCE_EXHAUSTED: 413,
  UNSUPPORTED: 405,
};

export function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]+/g, ' ').replace(/ {2,}/g, ' ').trim().slice(0, 400) || 'Error';
}

export function mavenStatus(err: EmulatorError): number {
  return STATUS[err.code] ?? ERRORS[err.code]?.httpStatus ?? 500;
}

export function renderMavenError(err: EmulatorError, ctx: AppContext): void {
  const status = mavenStatus(err);
  const message = status >= 500 && err.code !== 'UNAVAILABLE' ? 'Internal Server Error' : err.message;
  ctx.status = status;
  ctx.message = reasonPhrase(message);
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${status} ${message}\n`;
}
