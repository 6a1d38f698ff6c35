// Access tokens the emulator issues (opaque to clients, `ya29.`-prefixed like Google's; HMAC-signed so they
// survive restarts of the same data directory), and verification of the JWTs google-auth-library signs
// with an issued service-account key: the jwt-bearer assertion sent to the token endpoint, and the
// self-signed JWT it may send as a Bearer token directly. Expiry follows the injected clock.
import { createHmac, createPublicKey, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { IdentityStore } from './identities.js';

export const ACCESS_TOKEN_TTL_S = 3600;
/** Audiences a self-signed JWT may carry to be accepted here. */
const SELF_SIGNED_AUDIENCES = [/^https:\/\/artifactregistry\.googleapis\.com\/?$/, /^https:\/\/www\.googleapis\.com\/auth\/cloud-platform/];

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  issuedAt: string;
}

export class TokenService {
  constructor(
    private readonly identities: IdentityStore,
    private readonly clock: Clock,
    private readonly secret: Buffer,
  ) {}

  issue(principal: string, ttlSeconds = ACCESS_TOKEN_TTL_S): IssuedToken {
    const now = this.clock.now();
    const payload = Buffer.from(JSON.stringify({ p: principal, e: Math.floor(now.getTime() / 1000) + ttlSeconds })).toString('base64url');
    return { accessToken: `ya29.emu.${payload}.${this.mac(payload)}`, expiresIn: ttlSeconds, issuedAt: now.toISOString() };
  }

  /** The principal an access token was issued to; UNAUTHENTICATED if it is altered, foreign or expired. */
  verifyAccessToken(token: string): string {
    const m = /^ya29\.emu\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!m) throw foreign('The access token is not one this emulator issued.');
    const expected = Buffer.from(this.mac(m[1]!));
    const given = Buffer.from(m[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthenticated('The access token was tampered with or was issued by another data directory.');
    const { p, e } = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { p: string; e: number };
    if (e * 1000 <= this.clock.now().getTime()) throw unauthenticated('The access token expired.');
    return p;
  }

  /** A JWT signed with an issued key: returns the service account's member string. */
  async verifyServiceAccountJwt(jwt: string, audiences: RegExp[] = SELF_SIGNED_AUDIENCES): Promise<string> {
    let kid: string | undefined;
    try {
      kid = (await jose()).decodeProtectedHeader(jwt).kid;
    } catch {
      throw unauthenticated('The bearer token is not a valid JWT.');
    }
    const key = kid ? this.identities.key(kid) : undefined;
    if (!key) throw unauthenticated('The JWT is signed with a key this emulator did not issue (unknown kid).');
    try {
      const { payload } = await (await jose()).jwtVerify(jwt, createPublicKey(key.publicKeyPem), {
        currentDate: this.clock.now(),
        clockTolerance: 30,
      });
      const aud = [payload.aud ?? []].flat().concat(typeof payload.scope === 'string' ? [payload.scope] : []);
      if (!aud.some((a) => audiences.some((re) => re.test(a)))) throw unauthenticated(`The JWT audience ${JSON.stringify(payload.aud ?? null)} is not accepted here.`);
      if (payload.iss !== key.email) throw unauthenticated('The JWT issuer does not match the key\'s service account.');
      return `serviceAccount:${key.email}`;
    } catch (err) {
      if (err instanceof EmulatorError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw unauthenticated('The JWT expired.');
      throw unauthenticated('The JWT signature or claims are invalid.');
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

export function unauthenticated(message: string): EmulatorError {
  return new EmulatorError('UNAUTHENTICATED', message);
}

/** A credential that is not of this emulator's making at all (a real Google token, a test placeholder). */
export function foreign(message: string): EmulatorError {
  return new EmulatorError('UNAUTHENTICATED', message, { foreign: true });
}

/** jose, loaded by the first JWT to verify (most callers send tokens, not JWTs). */
let joseModule: Promise<typeof import('jose')> | undefined;
const jose = () => (joseModule ??= import('jose'));
