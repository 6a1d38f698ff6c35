// The deploy policy, kept and enforced (issue 13 Build 5, docs/deploy-policy.md): per project one metadata shard
// `meta/binauthz/PROJECT` holding the Binary Authorization policy, the attestors and the ATTESTATION occurrences the
// API created; and the PullPolicy (core/pull-policy.ts) the Docker format asks on every manifest GET/HEAD. Findings
// come from the occurrences store; attestations from this shard and from the image's OCI referrers.
import { createHash, randomUUID, verify as verifySignature, constants as cryptoConstants } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { EmulatorError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { RepositoryRef } from '../core/names.js';
import type { AttestationWriter, PullPolicy, PullReferrer, PullRequestInfo } from '../core/pull-policy.js';
import type { MetaShard, MetaStore } from '../storage/meta-store.js';
import { evaluate, parseAttestor, parsePolicy, type Attestor, type Finding, type Policy, type PublicKey } from './deploy-policy.js';
import { imageResourceUri, parseImageResourceUri, type OccurrenceStore } from './occurrences.js';

export const BINAUTHZ_SHARD = 'binauthz';
const T = { policy: 'policy', attestors: 'attestors', attestations: 'attestations' } as const;
/** The artifactType of a simple-signing attestation stored as an OCI referrer (the payload's media type, as cosign's). */
export const SIMPLE_SIGNING_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The annotation of such a referrer naming the attestor it is an attestation of (emulator convention). */
export const ATTESTOR_ANNOTATION = 'dev.ar-emulator.binauthz.attestor';
/** The annotations of the referrer the API attaches for an ATTESTATION occurrence (judged through the occurrence). */
export const OCCURRENCE_ANNOTATION = 'dev.ar-emulator.binauthz.occurrence';
export const NOTE_ANNOTATION = 'dev.ar-emulator.binauthz.note';
/** What the policy.violated event names as the "permission" a deploy-policy refusal is about. */
export const DEPLOY_POLICY_PERMISSION = 'binaryauthorization.policy';

export interface AttestationOccurrence {
  name: string;
  resourceUri: string;
  noteName: string;
  kind: 'ATTESTATION';
  attestation: { serializedPayload: string; signatures?: Array<{ signature: string; publicKeyId?: string }> };
  createTime: string;
  updateTime: string;
}

/** gcloud sends `LOCATION-docker.pkg.dev/…@sha256:…` without the scheme Artifact Analysis writes; both name the image. */
const withScheme = (uri: string) => (uri.startsWith('https://') ? uri : `https://${uri}`);
const etagOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64url').slice(0, 16);
const bad = (field: string, message: string) => new EmulatorError('INVALID_ARGUMENT', message, { field });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBase64 = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && /^[A-Za-z0-9+/_-]*={0,2}$/.test(s);

export class DeployPolicies implements PullPolicy {
  constructor(
    private readonly d: {
      meta: MetaStore;
      clock: Clock;
      events: EventBus;
      occurrences: () => OccurrenceStore;
      /** where attestations are attached to images as OCI referrers (the Docker format) */
      attestations?: () => AttestationWriter | undefined;
    },
  ) {}

  private shard(project: string, create: boolean): MetaShard | undefined {
    return create ? this.d.meta.ensure([BINAUTHZ_SHARD, project]) : this.d.meta.get([BINAUTHZ_SHARD, project]);
  }

  // ---- the policy ----

  /** The project's policy; without one, the answer Binary Authorization gives a project that never set one: allow all. */
  getPolicy(project: string): Policy {
    return this.shard(project, false)?.get<Policy>(T.policy, 'policy') ?? { name: `projects/${project}/policy`, defaultAdmissionRule: { evaluationMode: 'ALWAYS_ALLOW', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' } };
  }

  async putPolicy(project: string, body: unknown): Promise<Policy> {
    const parsed = parsePolicy(project, body);
    const etag = isObject(body) && typeof body.etag === 'string' ? body.etag : undefined;
    return this.shard(project, true)!.transact((tx) => {
      const old = tx.get<Policy>(T.policy, 'policy');
      if (etag && old?.etag && etag !== old.etag) throw new EmulatorError('ABORTED', 'The policy was changed since it was read (etag mismatch): read it again and retry.');
      const policy: Policy = { ...parsed, updateTime: this.d.clock.now().toISOString() };
      policy.etag = etagOf(policy);
      tx.put(T.policy, 'policy', policy);
      return policy;
    });
  }

  // ---- attestors ----

  listAttestors(project: string): Attestor[] {
    const shard = this.shard(project, false);
    return shard ? [...shard.entries<Attestor>(T.attestors)].map(([, a]) => a).sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
  }

  getAttestor(project: string, id: string): Attestor {
    const a = this.shard(project, false)?.get<Attestor>(T.attestors, id);
    if (!a) throw new EmulatorError('NOT_FOUND', `Attestor projects/${project}/attestors/${id} not found.`);
    return a;
  }

  async createAttestor(project: string, id: string, body: unknown): Promise<Attestor> {
    const parsed = parseAttestor(project, id, body);
    return this.shard(project, true)!.transact((tx) => {
      if (tx.get(T.attestors, id)) throw new EmulatorError('ALREADY_EXISTS', `Attestor projects/${project}/attestors/${id} already exists.`);
      const a: Attestor = { ...parsed, updateTime: this.d.clock.now().toISOString() };
      a.etag = etagOf(a);
      tx.put(T.attestors, id, a);
      return a;
    });
  }

  async updateAttestor(project: string, id: string, body: unknown): Promise<Attestor> {
    const parsed = parseAttestor(project, id, body);
    const shard = this.shard(project, false);
    if (!shard) throw new EmulatorError('NOT_FOUND', `Attestor projects/${project}/attestors/${id} not found.`);
    return shard.transact((tx) => {
      if (!tx.get(T.attestors, id)) throw new EmulatorError('NOT_FOUND', `Attestor projects/${project}/attestors/${id} not found.`);
      const a: Attestor = { ...parsed, updateTime: this.d.clock.now().toISOString() };
      a.etag = etagOf(a);
      tx.put(T.attestors, id, a);
      return a;
    });
  }

  async deleteAttestor(project: string, id: string): Promise<void> {
    const shard = this.shard(project, false);
    const missing = () => new EmulatorError('NOT_FOUND', `Attestor projects/${project}/attestors/${id} not found.`);
    if (!shard) throw missing();
    await shard.transact((tx) => {
      if (!tx.get(T.attestors, id)) throw missing();
      tx.delete(T.attestors, id);
    });
  }

  // ---- attestations (Grafeas ATTESTATION occurrences) ----

  /** `POST /v1/projects/P/occurrences` with kind ATTESTATION: validated and kept; verified when a pull is checked. */
  async createAttestation(project: string, body: unknown): Promise<AttestationOccurrence> {
    if (!isObject(body)) throw bad('occurrence', 'The request body must be an Occurrence object.');
    if (typeof body.kind !== 'string' || body.kind.toUpperCase() !== 'ATTESTATION') {
      throw new EmulatorError('UNSUPPORTED', 'The emulator creates occurrences of kind ATTESTATION only (the scans write the others).', { field: 'occurrence.kind' });
    }
    if (typeof body.resourceUri !== 'string' || !parseImageResourceUri(body.resourceUri)) {
      throw bad('occurrence.resourceUri', 'occurrence.resourceUri must name an image by digest: https://LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE@sha256:HEX.');
    }
    if (typeof body.noteName !== 'string' || !/^projects\/[^/]{1,63}\/notes\/[^/]{1,100}$/.test(body.noteName)) {
      throw bad('occurrence.noteName', 'occurrence.noteName must be a note name (projects/PROJECT/notes/NOTE): the attestor\'s note.');
    }
    const a = body.attestation;
    if (!isObject(a)) throw bad('occurrence.attestation', 'occurrence.attestation is required for kind ATTESTATION.');
    if (!isBase64(a.serializedPayload) || a.serializedPayload.length > 1 << 20) throw bad('occurrence.attestation.serializedPayload', 'occurrence.attestation.serializedPayload must be base64 bytes (at most 1 MiB).');
    const sigs = a.signatures === undefined ? [] : a.signatures;
    if (!Array.isArray(sigs) || sigs.length > 100) throw bad('occurrence.attestation.signatures', 'occurrence.attestation.signatures must be a list of at most 100 signatures.');
    const signatures = sigs.map((s, i) => {
      if (!isObject(s) || !isBase64(s.signature)) throw bad(`occurrence.attestation.signatures[${i}].signature`, `occurrence.attestation.signatures[${i}].signature must be base64 bytes.`);
      return { signature: s.signature, ...(typeof s.publicKeyId === 'string' ? { publicKeyId: s.publicKeyId } : {}) };
    });
    const now = this.d.clock.now().toISOString();
    const id = randomUUID();
    const occ: AttestationOccurrence = {
      name: `projects/${project}/occurrences/${id}`, resourceUri: body.resourceUri, noteName: body.noteName, kind: 'ATTESTATION',
      attestation: { serializedPayload: a.serializedPayload, ...(signatures.length ? { signatures } : {}) }, createTime: now, updateTime: now,
    };
    await this.shard(project, true)!.transact((tx) => tx.put(T.attestations, id, occ));
    // stored as an OCI referrer of the image too, when the image is stored here (a Grafeas occurrence may name any image)
    const image = parseImageResourceUri(occ.resourceUri)!;
    await this.d.attestations?.()?.attach({ project: image.project, location: image.location, repository: image.repository }, image.image, image.digest, {
      artifactType: SIMPLE_SIGNING_TYPE,
      payload: Buffer.from(occ.attestation.serializedPayload, 'base64'),
      annotations: { [OCCURRENCE_ANNOTATION]: occ.name, [NOTE_ANNOTATION]: occ.noteName, ...(signatures.length ? { 'dev.ar-emulator.binauthz.signatures': JSON.stringify(signatures).slice(0, 16_384) } : {}) },
    }).catch(() => undefined);
    return occ;
  }

  /** `POST …/attestors/A:validateAttestationOccurrence`: would this attestation satisfy the attestor? (spec §6.5) */
  validateAttestation(project: string, id: string, body: unknown): { result: 'VERIFIED' | 'ATTESTATION_NOT_VERIFIABLE'; denialReason?: string } {
    const attestor = this.getAttestor(project, id);
    if (!isObject(body)) throw bad('request', 'The request body must be a ValidateAttestationOccurrenceRequest.');
    const a = body.attestation;
    if (!isObject(a) || !isBase64(a.serializedPayload)) throw bad('attestation.serializedPayload', 'attestation.serializedPayload must be base64 bytes.');
    if (typeof body.occurrenceNote !== 'string') throw bad('occurrence_note', 'occurrenceNote is required.');
    const image = typeof body.occurrenceResourceUri === 'string' ? parseImageResourceUri(body.occurrenceResourceUri) : undefined;
    if (!image) throw bad('occurrence_resource_uri', 'occurrenceResourceUri must name an image by digest (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE@sha256:HEX).');
    const no = (denialReason: string) => ({ result: 'ATTESTATION_NOT_VERIFIABLE' as const, denialReason });
    if (body.occurrenceNote !== attestor.userOwnedGrafeasNote.noteReference) return no(`The occurrence's note ${body.occurrenceNote.slice(0, 200)} is not the attestor's note ${attestor.userOwnedGrafeasNote.noteReference}.`);
    const sigs = Array.isArray(a.signatures) ? a.signatures.filter((x): x is { signature: string; publicKeyId?: string } => isObject(x) && isBase64(x.signature)) : [];
    const occ = { attestation: { serializedPayload: a.serializedPayload, signatures: sigs } } as AttestationOccurrence;
    return verifies(attestor, occ, image.digest) ? { result: 'VERIFIED' } : no('No signature was valid for a key trusted by the attestor, or the payload names another image digest.');
  }

  getAttestation(project: string, id: string): AttestationOccurrence | undefined {
    return this.shard(project, false)?.get<AttestationOccurrence>(T.attestations, id);
  }

  async deleteAttestation(project: string, id: string): Promise<boolean> {
    const shard = this.shard(project, false);
    if (!shard?.get(T.attestations, id)) return false;
    await shard.transact((tx) => tx.delete(T.attestations, id));
    return true;
  }

  listAttestations(project: string): AttestationOccurrence[] {
    const shard = this.shard(project, false);
    return shard ? [...shard.entries<AttestationOccurrence>(T.attestations)].map(([, o]) => o) : [];
  }

  // ---- enforcement ----

  async check(pull: PullRequestInfo): Promise<void> {
    const project = pull.asked.repository.project;
    const policy = this.shard(project, false)?.get<Policy>(T.policy, 'policy');
    if (!policy) return; // Binary Authorization not enabled for the project: every deployment goes on
    const names = (r: RepositoryRef, image: string) => [`${r.location}-docker.pkg.dev/${r.project}/${r.repository}/${image}`, `${r.location}-docker.pkg.dev/${r.project}/${r.repository}/${image}@${pull.digest}`];
    const imageNames = [...names(pull.asked.repository, pull.asked.image), ...(pull.served.repository === pull.asked.repository ? [] : names(pull.served.repository, pull.served.image))];
    const email = pull.principal.replace(/^(serviceAccount|user|group):/, '');
    const servedUri = imageResourceUri(pull.served.repository, pull.served.image, pull.digest);
    const askedUri = imageResourceUri(pull.asked.repository, pull.asked.image, pull.digest);
    const findings: Finding[] = [];
    for (const o of this.d.occurrences().ofResource(pull.served.repository.project, servedUri)) {
      if (o.kind !== 'VULNERABILITY' || !o.vulnerability) continue;
      const v = o.vulnerability;
      findings.push({
        id: v.shortDescription,
        aliases: [...new Set(`${v.longDescription ?? ''}`.match(/\b(?:CVE-\d{4}-\d{4,}|GHSA-[a-z0-9-]+)\b/g) ?? [])],
        severity: v.effectiveSeverity ?? v.severity ?? 'SEVERITY_UNSPECIFIED',
        fixable: v.fixAvailable,
      });
    }
    const rule = policy.kubernetesServiceAccountAdmissionRules?.[email] ?? policy.defaultAdmissionRule;
    const attestedBy = new Set<string>();
    if (rule.requireAttestationsBy?.length) {
      let referrers: PullReferrer[] | undefined;
      for (const attestorName of rule.requireAttestationsBy) {
        const m = /^projects\/([^/]+)\/attestors\/([^/]+)$/.exec(attestorName)!;
        const attestor = this.shard(m[1]!, false)?.get<Attestor>(T.attestors, m[2]!);
        if (!attestor) continue; // an attestor that does not exist attests nothing
        // attestations are occurrences in the attestor's, the note's or the image's project
        const projects = new Set([m[1]!, attestor.userOwnedGrafeasNote.noteReference.split('/')[1]!, pull.served.repository.project, project]);
        const fromApi = [...projects].flatMap((p) => this.listAttestations(p)).some((o) => o.noteName === attestor.userOwnedGrafeasNote.noteReference && [servedUri, askedUri].includes(withScheme(o.resourceUri)) && verifies(attestor, o, pull.digest));
        if (fromApi) {
          attestedBy.add(attestorName);
          continue;
        }
        referrers ??= await pull.referrers().catch(() => []);
        const ann = (r: PullReferrer) => r.annotations?.[ATTESTOR_ANNOTATION];
        // a referrer pushed by a client is not verified: it counts only for an attestor without keys
        if ((attestor.userOwnedGrafeasNote.publicKeys ?? []).length > 0) continue;
        if (referrers.some((r) => r.artifactType === SIMPLE_SIGNING_TYPE && (ann(r) === attestorName || ann(r) === attestor.userOwnedGrafeasNote.noteReference))) attestedBy.add(attestorName);
      }
    }
    const verdict = evaluate(policy, { imageNames, principalEmail: email, findings, attestedBy });
    if (verdict.allowed) return;
    const violation = {
      permission: DEPLOY_POLICY_PERMISSION,
      resource: `projects/${project}/policy`,
      operation: `deployPolicy.${verdict.rule.startsWith('default') ? 'defaultAdmissionRule' : 'kubernetesServiceAccountAdmissionRules'}`,
    };
    const extra = { image: imageNames[1]!, rule: verdict.rule, message: verdict.message, ...(verdict.worst ? { worst: { id: verdict.worst.id, severity: verdict.worst.severity } } : {}) };
    if (verdict.dryRun) {
      // DRYRUN_AUDIT_LOG_ONLY: the pull goes on; the audit log is the feed
      this.d.events.emit('policy.violated', { principal: pull.principal, ...violation, ...extra, dryRun: true });
      return;
    }
    throw new EmulatorError('PERMISSION_DENIED', verdict.message, { violation: { ...violation, ...extra }, rule: verdict.rule, ...(verdict.worst ? { worst: extra.worst } : {}) });
  }
}

/**
 * Is the attestation one of `digest`, signed by a key of the attestor? A simple-signing payload naming another digest
 * never is. PKIX signatures are verified with node:crypto; PGP ones are accepted (no OpenPGP library is a dependency);
 * an attestor without keys accepts every attestation on its note (docs/deploy-policy.md).
 */
function verifies(attestor: Attestor, o: AttestationOccurrence, digest: string): boolean {
  const payload = Buffer.from(o.attestation.serializedPayload, 'base64');
  try {
    const named = (JSON.parse(payload.toString('utf8')) as { critical?: { image?: Record<string, unknown> } }).critical?.image?.['docker-manifest-digest'];
    if (typeof named === 'string' && named !== digest) return false;
  } catch {
    // not JSON: a payload of another kind, judged by its signatures alone
  }
  const keys = attestor.userOwnedGrafeasNote.publicKeys ?? [];
  if (keys.length === 0) return true;
  return (o.attestation.signatures ?? []).some((s) => {
    const key = keys.find((k) => k.id === s.publicKeyId) ?? (keys.length === 1 ? keys[0] : undefined);
    return key ? keyVerifies(key, payload, Buffer.from(s.signature, 'base64')) : false;
  });
}

function keyVerifies(key: PublicKey, payload: Buffer, signature: Buffer): boolean {
  if (key.asciiArmoredPgpPublicKey) return true;
  const pem = key.pkixPublicKey!.publicKeyPem;
  const alg = key.pkixPublicKey!.signatureAlgorithm ?? 'ECDSA_P256_SHA256';
  const hash = /SHA512/.test(alg) ? 'sha512' : /SHA384/.test(alg) ? 'sha384' : 'sha256';
  try {
    if (/^RSA_PSS/.test(alg)) return verifySignature(hash, payload, { key: pem, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_AUTO }, signature);
    return verifySignature(hash, payload, pem, signature);
  } catch {
    return false;
  }
}
