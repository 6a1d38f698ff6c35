// The OpenPGP key that signs Apt and Yum repository indexes, one per location (spec ar-fidelity §2: the real
// service publishes one key per `LOCATION-apt.pkg.dev` / `LOCATION-yum.pkg.dev` at `/doc/repo-signing-key.gpg`;
// here Apt and Yum of one location share it [U]). Generated on first use, kept in the metadata store (shard
// `signing`) so it survives restarts and snapshots, never logged. An Ed25519 key in the v4 format (RFC 4880
// "legacy" EdDSA), the one gpgv 2.2 (apt), gpgme (dnf) and rpm 4.18 all verify.
import * as openpgp from 'openpgp';
import type { Clock } from '../core/clock.js';
import type { MetaStore } from '../storage/meta-store.js';

export const SIGNING_SHARD = ['signing'] as const;
const KEYS = 'keys';

interface StoredKey {
  /** armored private key (unencrypted: it is a test fixture's key, in the emulator's own data dir) */
  privateKey: string;
  publicKey: string;
  fingerprint: string;
  createTime: string;
}

export interface RepoSigner {
  /** the location's public key, ASCII-armored (`.asc`) */
  publicKeyArmored(location: string): Promise<string>;
  /** the location's public key as a binary OpenPGP keyring (what `/doc/repo-signing-key.gpg` serves, apt's `.gpg`) */
  publicKeyBinary(location: string): Promise<Uint8Array>;
  /** the key's fingerprint, upper-case hex */
  fingerprint(location: string): Promise<string>;
  /** a cleartext-signed document (Apt's `InRelease`) */
  clearsign(location: string, text: string): Promise<string>;
  /** an ASCII-armored detached signature (Apt's `Release.gpg`, Yum's `repomd.xml.asc`) */
  detachSign(location: string, data: string | Uint8Array): Promise<string>;
}

export function createRepoSigner(d: { meta: MetaStore; clock: Clock }): RepoSigner {
  const loaded = new Map<string, Promise<{ stored: StoredKey; key: openpgp.PrivateKey }>>();
  const keyOf = (location: string) => {
    let p = loaded.get(location);
    if (!p) {
      p = load(location);
      loaded.set(location, p);
      p.catch(() => loaded.delete(location));
    }
    return p;
  };
  const load = async (location: string) => {
    const shard = d.meta.ensure([...SIGNING_SHARD]);
    let stored = shard.get<StoredKey>(KEYS, location);
    if (!stored) {
      // The key's creation time is the (virtual) clock's, so a signature made "now" is never older than its key.
      const created = new Date(Math.min(Date.now(), d.clock.now().getTime()) - 60_000);
      const { privateKey, publicKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: `Artifact Registry emulator repository signer (${location})`, email: 'repo-signer@localhost' }],
        date: created,
        format: 'armored',
      });
      const key = await openpgp.readKey({ armoredKey: publicKey });
      const fresh: StoredKey = { privateKey, publicKey, fingerprint: key.getFingerprint().toUpperCase(), createTime: created.toISOString() };
      // another request may have created it meanwhile: the first stored key wins
      stored = await shard.transact((tx) => {
        const existing = tx.get<StoredKey>(KEYS, location);
        if (existing) return existing;
        tx.put(KEYS, location, fresh);
        return fresh;
      });
    }
    return { stored, key: await openpgp.readPrivateKey({ armoredKey: stored.privateKey }) };
  };
  const signDate = (createTime: string) => new Date(Math.max(d.clock.now().getTime(), Date.parse(createTime) + 1000));

  return {
    async publicKeyArmored(location) {
      return (await keyOf(location)).stored.publicKey;
    },
    async publicKeyBinary(location) {
      const { stored } = await keyOf(location);
      return (await openpgp.readKey({ armoredKey: stored.publicKey })).write();
    },
    async fingerprint(location) {
      return (await keyOf(location)).stored.fingerprint;
    },
    async clearsign(location, text) {
      const { stored, key } = await keyOf(location);
      const message = await openpgp.createCleartextMessage({ text });
      return openpgp.sign({ message, signingKeys: key, date: signDate(stored.createTime), format: 'armored' });
    },
    async detachSign(location, data) {
      const { stored, key } = await keyOf(location);
      // a binary signature (type 0x00) over the exact bytes, as `gpg --detach-sign` makes
      const message = await openpgp.createMessage({ binary: typeof data === 'string' ? new TextEncoder().encode(data) : data });
      return openpgp.sign({ message, signingKeys: key, detached: true, date: signDate(stored.createTime), format: 'armored' }) as Promise<string>;
    },
  };
}
