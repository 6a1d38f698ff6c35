// Turns what a client sends into a principal: Bearer access tokens (ours, or JWTs self-signed with an
// issued key), and Basic credentials with Artifact Registry's usernames (spec ar-fidelity §3.2):
// oauth2accesstoken, _dcgcloud_token, _dcgcr_*token (password = a token), _json_key (password = a key
// file), _json_key_base64 (a base64 key file). npm, pip, twine, Maven, apt and dnf use the same forms.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { IdentityStore } from './identities.js';
import { foreign, unauthenticated, type TokenService } from './tokens.js';

export class CredentialVerifier {
  private readonly verifiedKeyFiles = new Map<string, string>();

  constructor(
    private readonly identities: IdentityStore,
    private readonly tokens: TokenService,
  ) {}

  /** The principal behind an Authorization header; UNAUTHENTICATED with a reason when it is not valid. */
  async principalOf(authorization: string): Promise<string> {
    const [scheme, ...rest] = authorization.trim().split(/\s+/);
    const value = rest.join(' ');
    if (/^bearer$/i.test(scheme ?? '')) {
      if (!value) throw unauthenticated('The Authorization header has an empty Bearer token.');
      return this.token(value);
    }
    if (/^basic$/i.test(scheme ?? '')) return this.basic(value);
    throw unauthenticated(`Unsupported authorization scheme "${(scheme ?? '').slice(0, 20)}": send Bearer or Basic credentials.`);
  }

  /** Basic credentials as the registry token endpoint and the package formats receive them. */
  async basic(encoded: string): Promise<string> {
    let decoded: string;
    try {
      decoded = Buffer.from(encoded, 'base64').toString('utf8');
    } catch {
      throw unauthenticated('Malformed Basic credentials.');
    }
    const colon = decoded.indexOf(':');
    if (!encoded || colon < 0 || /[^A-Za-z0-9+/=]/.test(encoded)) throw unauthenticated('Malformed Basic credentials: expected base64 of USERNAME:PASSWORD.');
    return this.usernamePassword(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  async usernamePassword(username: string, password: string): Promise<string> {
    if (!password) throw unauthenticated(`No password was sent for user "${username.slice(0, 40)}".`);
    if (username === '_json_key') return this.keyFile(password);
    if (username === '_json_key_base64') {
      return this.keyFile(Buffer.from(password, 'base64').toString('utf8'));
    }
    // oauth2accesstoken, _dcgcloud_token, _dcgcr_…_token, and any other user name: the password is a token
    return this.token(password);
  }

  private async token(token: string): Promise<string> {
    if (token.startsWith('ya29.')) return this.tokens.verifyAccessToken(token);
    if (token.split('.').length === 3) return this.tokens.verifyServiceAccountJwt(token);
    throw foreign('The access token is not valid.');
  }

  /** A service-account key file is valid when its private key matches an issued key's public half. */
  private keyFile(json: string): string {
    const fingerprint = createHash('sha256').update(json).digest('hex');
    const cached = this.verifiedKeyFiles.get(fingerprint);
    if (cached) return cached;
    let file: { private_key_id?: string; private_key?: string; client_email?: string };
    try {
      file = JSON.parse(json) as typeof file;
    } catch {
      throw unauthenticated('The password is not a service-account key file (invalid JSON).');
    }
    const key = file.private_key_id ? this.identities.key(file.private_key_id) : undefined;
    if (!key || key.email !== file.client_email || !file.private_key) throw unauthenticated('The service-account key was not issued by this emulator, or was deleted.');
    const probe = Buffer.from(fingerprint);
    let matches = false;
    try {
      matches = verify('sha256', probe, createPublicKey(key.publicKeyPem), sign('sha256', probe, createPrivateKey(file.private_key)));
    } catch {
      matches = false;
    }
    if (!matches) throw unauthenticated('The service-account key file has been altered.');
    const principal = `serviceAccount:${key.email}`;
    this.verifiedKeyFiles.set(fingerprint, principal);
    return principal;
  }
}
