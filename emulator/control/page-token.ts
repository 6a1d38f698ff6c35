// Opaque, tamper-evident page tokens: base64url(JSON) + an HMAC bound to the list request's parent and
// filter, so a token from another list, or an edited one, is refused with INVALID_ARGUMENT.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EmulatorError } from '../core/errors.js';

export class PageTokens {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  encode(scope: string, position: string): string {
    const payload = Buffer.from(JSON.stringify({ p: position })).toString('base64url');
    return `${payload}.${this.mac(scope, payload)}`;
  }

  /** The position a token carries; INVALID_ARGUMENT if it was not issued for `scope` or was altered. */
  decode(scope: string, token: string): string {
    const [payload, mac] = token.split('.');
    const expected = payload ? this.mac(scope, payload) : '';
    if (!payload || !mac || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "page_token": the page token is malformed or was not issued for this request.', { field: 'page_token' });
    }
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: string }).p;
  }

  private mac(scope: string, payload: string): string {
    return createHmac('sha256', this.key).update(scope).update('\u0000').update(payload).digest('base64url').slice(0, 22);
  }
}

export const MAX_PAGE_SIZE = 1000;

/** pageSize: absent or 0 → the maximum; negative or non-numeric → INVALID_ARGUMENT; capped at 1000. */
export function pageSizeOf(raw: unknown): number {
  if (raw === undefined || raw === '') return MAX_PAGE_SIZE;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || Number(raw) < 0) {
    throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "page_size": must be a non-negative integer.', { field: 'page_size' });
  }
  return Math.min(Number(raw) || MAX_PAGE_SIZE, MAX_PAGE_SIZE);
}
