// The deploy policy, pure part (issue 13 Build 5; Binary Authorization v1 at the level of spec ar-fidelity §6.5):
// the policy and attestor JSON (validated, canonical enums), and the evaluation of one pull against a policy. No I/O:
// deploy-policy-store.ts keeps policies, attestors and attestations and answers the Docker format's PullPolicy.
// docs/deploy-policy.md says what is real and what is the emulator's.
import { createHash, createPublicKey } from 'node:crypto';
import { EmulatorError } from '../core/errors.js';

export const EVALUATION_MODES = ['ALWAYS_ALLOW', 'REQUIRE_ATTESTATION', 'ALWAYS_DENY'] as const;
export const ENFORCEMENT_MODES = ['ENFORCED_BLOCK_AND_AUDIT_LOG', 'DRYRUN_AUDIT_LOG_ONLY'] as const;
export const GLOBAL_MODES = ['GLOBAL_POLICY_EVALUATION_MODE_UNSPECIFIED', 'ENABLE', 'DISABLE'] as const;
/** GKE platform policy VulnerabilityCheck.MaximumAllowedSeverity, lowest first. */
export const MAX_SEVERITIES = ['BLOCK_ALL', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'ALLOW_ALL'] as const;
export const RULE_MAPS = ['clusterAdmissionRules', 'kubernetesNamespaceAdmissionRules', 'kubernetesServiceAccountAdmissionRules', 'istioServiceIdentityAdmissionRules'] as const;

export type EvaluationMode = (typeof EVALUATION_MODES)[number];
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];
export type MaxSeverity = (typeof MAX_SEVERITIES)[number];

export interface VulnerabilityCheck {
  maximumFixableSeverity?: MaxSeverity;
  maximumUnfixableSeverity?: MaxSeverity;
  allowedCves?: string[];
  blockedCves?: string[];
}

export interface AdmissionRule {
  evaluationMode: EvaluationMode;
  requireAttestationsBy?: string[];
  enforcementMode: EnforcementMode;
  /** emulator extension (the GKE platform policy's check, docs/deploy-policy.md) */
  vulnerabilityCheck?: VulnerabilityCheck;
}

export interface Policy {
  name: string;
  description?: string;
  globalPolicyEvaluationMode?: (typeof GLOBAL_MODES)[number];
  admissionWhitelistPatterns?: Array<{ namePattern: string }>;
  clusterAdmissionRules?: Record<string, AdmissionRule>;
  kubernetesNamespaceAdmissionRules?: Record<string, AdmissionRule>;
  kubernetesServiceAccountAdmissionRules?: Record<string, AdmissionRule>;
  istioServiceIdentityAdmissionRules?: Record<string, AdmissionRule>;
  defaultAdmissionRule: AdmissionRule;
  updateTime?: string;
  etag?: string;
}

export interface PublicKey {
  id: string;
  comment?: string;
  asciiArmoredPgpPublicKey?: string;
  pkixPublicKey?: { publicKeyPem: string; signatureAlgorithm?: string };
}

export interface Attestor {
  name: string;
  description?: string;
  userOwnedGrafeasNote: { noteReference: string; publicKeys?: PublicKey[]; delegationServiceAccountEmail?: string };
  updateTime?: string;
  etag?: string;
}

const bad = (field: string, message: string) => new EmulatorError('INVALID_ARGUMENT', message, { field });
const unknownField = (name: string, at: string) => bad(at, `Invalid JSON payload received. Unknown name "${name.slice(0, 100)}" at '${at}': Cannot find field.`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyFields(o: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw unknownField(k, at);
}

function enumOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  const s = typeof v === 'string' ? v.toUpperCase() : undefined;
  const found = values.find((x) => x === s);
  if (!found) throw bad(field, `Invalid value at '${field}' (${typeof v === 'string' ? `"${v.slice(0, 60)}"` : typeof v}): expected one of ${values.join(', ')}.`);
  return found;
}

function stringList(v: unknown, field: string, max = 1000): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string') || v.length > max) throw bad(field, `${field} must be a list of at most ${max} strings.`);
  return v as string[];
}

const ATTESTOR_NAME = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|[a-z0-9-]{1,63})\/attestors\/([A-Za-z0-9_-]{1,100})$/;
export const ATTESTOR_ID = /^[A-Za-z0-9_-]{1,100}$/;
const NOTE_NAME = /^projects\/[^/]{1,63}\/notes\/[^/]{1,100}$/;

export function parseAdmissionRule(v: unknown, at: string): AdmissionRule {
  if (!isObject(v)) throw bad(at, `${at} must be an AdmissionRule object.`);
  onlyFields(v, ['evaluationMode', 'requireAttestationsBy', 'enforcementMode', 'vulnerabilityCheck'], at);
  if (v.evaluationMode === undefined) throw bad(`${at}.evaluationMode`, `${at}.evaluationMode is required.`);
  const evaluationMode = enumOf(v.evaluationMode, EVALUATION_MODES, `${at}.evaluationMode`);
  if (v.enforcementMode === undefined) throw bad(`${at}.enforcementMode`, `${at}.enforcementMode is required.`);
  const enforcementMode = enumOf(v.enforcementMode, ENFORCEMENT_MODES, `${at}.enforcementMode`);
  const by = v.requireAttestationsBy === undefined ? [] : stringList(v.requireAttestationsBy, `${at}.requireAttestationsBy`, 100);
  for (const [i, name] of by.entries()) if (!ATTESTOR_NAME.test(name)) throw bad(`${at}.requireAttestationsBy[${i}]`, `${at}.requireAttestationsBy[${i}]: "${name.slice(0, 200)}" is not an attestor name (projects/PROJECT/attestors/ATTESTOR).`);
  if (evaluationMode === 'REQUIRE_ATTESTATION' && by.length === 0) throw bad(`${at}.requireAttestationsBy`, `${at}.requireAttestationsBy must name at least one attestor when evaluationMode is REQUIRE_ATTESTATION.`);
  if (evaluationMode !== 'REQUIRE_ATTESTATION' && by.length > 0) throw bad(`${at}.requireAttestationsBy`, `${at}.requireAttestationsBy must be empty unless evaluationMode is REQUIRE_ATTESTATION.`);
  const rule: AdmissionRule = { evaluationMode, ...(by.length ? { requireAttestationsBy: by } : {}), enforcementMode };
  if (v.vulnerabilityCheck !== undefined) {
    const c = v.vulnerabilityCheck;
    const cat = `${at}.vulnerabilityCheck`;
    if (!isObject(c)) throw bad(cat, `${cat} must be an object.`);
    if (evaluationMode === 'ALWAYS_DENY') throw bad(cat, `${cat} has no meaning with evaluationMode ALWAYS_DENY.`);
    onlyFields(c, ['maximumFixableSeverity', 'maximumUnfixableSeverity', 'allowedCves', 'blockedCves'], cat);
    const check: VulnerabilityCheck = {};
    if (c.maximumFixableSeverity !== undefined) check.maximumFixableSeverity = enumOf(c.maximumFixableSeverity, MAX_SEVERITIES, `${cat}.maximumFixableSeverity`);
    if (c.maximumUnfixableSeverity !== undefined) check.maximumUnfixableSeverity = enumOf(c.maximumUnfixableSeverity, MAX_SEVERITIES, `${cat}.maximumUnfixableSeverity`);
    if (c.allowedCves !== undefined) check.allowedCves = stringList(c.allowedCves, `${cat}.allowedCves`);
    if (c.blockedCves !== undefined) check.blockedCves = stringList(c.blockedCves, `${cat}.blockedCves`);
    if (!check.maximumFixableSeverity && !check.maximumUnfixableSeverity && !check.blockedCves?.length) {
      throw bad(cat, `${cat} must set maximumFixableSeverity, maximumUnfixableSeverity or blockedCves.`);
    }
    rule.vulnerabilityCheck = check;
  }
  return rule;
}

/** A PUT body, validated (Google JSON errors naming the field); `name` must be the project's policy if given. */
export function parsePolicy(project: string, body: unknown): Omit<Policy, 'updateTime' | 'etag'> {
  const name = `projects/${project}/policy`;
  if (!isObject(body)) throw bad('policy', 'The request body must be a Policy object.');
  onlyFields(body, ['name', 'description', 'globalPolicyEvaluationMode', 'admissionWhitelistPatterns', ...RULE_MAPS, 'defaultAdmissionRule', 'updateTime', 'etag'], 'policy');
  if (body.name !== undefined && body.name !== name) throw bad('policy.name', `policy.name must be "${name}" (got "${String(body.name).slice(0, 200)}").`);
  if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 4096)) throw bad('policy.description', 'policy.description must be a string of at most 4096 characters.');
  if (body.defaultAdmissionRule === undefined) throw bad('policy.defaultAdmissionRule', 'policy.defaultAdmissionRule is required.');
  const policy: Omit<Policy, 'updateTime' | 'etag'> = { name, defaultAdmissionRule: parseAdmissionRule(body.defaultAdmissionRule, 'policy.defaultAdmissionRule') };
  if (body.description) policy.description = body.description as string;
  if (body.globalPolicyEvaluationMode !== undefined) policy.globalPolicyEvaluationMode = enumOf(body.globalPolicyEvaluationMode, GLOBAL_MODES, 'policy.globalPolicyEvaluationMode');
  if (body.admissionWhitelistPatterns !== undefined) {
    const list = body.admissionWhitelistPatterns;
    if (!Array.isArray(list) || list.length > 1000) throw bad('policy.admissionWhitelistPatterns', 'policy.admissionWhitelistPatterns must be a list of at most 1000 {namePattern} objects.');
    policy.admissionWhitelistPatterns = list.map((p, i) => {
      const at = `policy.admissionWhitelistPatterns[${i}]`;
      if (!isObject(p)) throw bad(at, `${at} must be a {namePattern} object.`);
      onlyFields(p, ['namePattern'], at);
      if (typeof p.namePattern !== 'string' || !p.namePattern || p.namePattern.length > 1024) throw bad(`${at}.namePattern`, `${at}.namePattern must be a non-empty image name pattern.`);
      return { namePattern: p.namePattern };
    });
  }
  let nonEmpty: string | undefined;
  for (const map of RULE_MAPS) {
    const m = body[map];
    if (m === undefined) continue;
    if (!isObject(m)) throw bad(`policy.${map}`, `policy.${map} must be a map of AdmissionRule objects.`);
    const entries = Object.entries(m);
    if (entries.length > 1000) throw bad(`policy.${map}`, `policy.${map} holds at most 1000 rules.`);
    if (entries.length === 0) continue;
    if (nonEmpty) throw bad(`policy.${map}`, `At most one of ${RULE_MAPS.join(', ')} may be set; ${nonEmpty} is already.`);
    nonEmpty = map;
    policy[map] = Object.fromEntries(entries.map(([k, r]) => [k, parseAdmissionRule(r, `policy.${map}["${k.slice(0, 200)}"]`)]));
  }
  return policy;
}

export function parseAttestor(project: string, id: string, body: unknown): Omit<Attestor, 'updateTime' | 'etag'> {
  const name = `projects/${project}/attestors/${id}`;
  if (!isObject(body)) throw bad('attestor', 'The request body must be an Attestor object.');
  onlyFields(body, ['name', 'description', 'userOwnedGrafeasNote', 'updateTime', 'etag'], 'attestor');
  if (body.name !== undefined && body.name !== name) throw bad('attestor.name', `attestor.name must be "${name}".`);
  if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 4096)) throw bad('attestor.description', 'attestor.description must be a string of at most 4096 characters.');
  const note = body.userOwnedGrafeasNote;
  if (!isObject(note)) throw bad('attestor.userOwnedGrafeasNote', 'attestor.userOwnedGrafeasNote is required.');
  onlyFields(note, ['noteReference', 'publicKeys', 'delegationServiceAccountEmail'], 'attestor.userOwnedGrafeasNote');
  if (typeof note.noteReference !== 'string' || !NOTE_NAME.test(note.noteReference)) {
    throw bad('attestor.userOwnedGrafeasNote.noteReference', 'attestor.userOwnedGrafeasNote.noteReference must be a note name (projects/PROJECT/notes/NOTE).');
  }
  const keys: PublicKey[] = [];
  if (note.publicKeys !== undefined) {
    if (!Array.isArray(note.publicKeys) || note.publicKeys.length > 100) throw bad('attestor.userOwnedGrafeasNote.publicKeys', 'publicKeys must be a list of at most 100 keys.');
    for (const [i, k] of note.publicKeys.entries()) {
      const at = `attestor.userOwnedGrafeasNote.publicKeys[${i}]`;
      if (!isObject(k)) throw bad(at, `${at} must be an AttestorPublicKey object.`);
      onlyFields(k, ['id', 'comment', 'asciiArmoredPgpPublicKey', 'pkixPublicKey'], at);
      const pgp = typeof k.asciiArmoredPgpPublicKey === 'string' ? k.asciiArmoredPgpPublicKey : undefined;
      const pkix = k.pkixPublicKey;
      if ((pgp === undefined) === (pkix === undefined)) throw bad(at, `${at} must hold exactly one of asciiArmoredPgpPublicKey and pkixPublicKey.`);
      const key: PublicKey = { id: typeof k.id === 'string' ? k.id : '' };
      if (typeof k.comment === 'string') key.comment = k.comment;
      if (pgp !== undefined) {
        if (!/-----BEGIN PGP PUBLIC KEY BLOCK-----/.test(pgp)) throw bad(`${at}.asciiArmoredPgpPublicKey`, `${at}.asciiArmoredPgpPublicKey is not an ASCII-armored PGP public key.`);
        key.asciiArmoredPgpPublicKey = pgp;
        // the real id is the key's OpenPGP fingerprint; without an OpenPGP parser, a stable stand-in of the same shape
        if (!key.id) key.id = createHash('sha1').update(pgp.replace(/\s+/g, '')).digest('hex').toUpperCase();
      } else {
        if (!isObject(pkix) || typeof pkix.publicKeyPem !== 'string' || !/-----BEGIN PUBLIC KEY-----/.test(pkix.publicKeyPem)) {
          throw bad(`${at}.pkixPublicKey.publicKeyPem`, `${at}.pkixPublicKey.publicKeyPem must be a PEM public key.`);
        }
        onlyFields(pkix, ['publicKeyPem', 'signatureAlgorithm'], `${at}.pkixPublicKey`);
        key.pkixPublicKey = { publicKeyPem: pkix.publicKeyPem, ...(typeof pkix.signatureAlgorithm === 'string' ? { signatureAlgorithm: pkix.signatureAlgorithm.toUpperCase() } : {}) };
        let der: Buffer;
        try {
          der = createPublicKey(key.pkixPublicKey.publicKeyPem).export({ type: 'spki', format: 'der' });
        } catch {
          throw bad(`${at}.pkixPublicKey.publicKeyPem`, `${at}.pkixPublicKey.publicKeyPem is not a public key that can be read.`);
        }
        // as the service does: an RFC 6920 digest URI of the key when none is given
        if (!key.id) key.id = `ni:///sha-256;${createHash('sha256').update(der).digest('base64url')}`;
      }
      if (keys.some((x) => x.id && x.id === key.id)) throw bad(`${at}.id`, `${at}.id "${key.id.slice(0, 100)}" is used twice.`);
      keys.push(key);
    }
  }
  return {
    name,
    ...(body.description ? { description: body.description as string } : {}),
    userOwnedGrafeasNote: { noteReference: note.noteReference, ...(keys.length ? { publicKeys: keys } : {}) },
  };
}

// ---- evaluation ----

/** One finding of the pulled image, from its VULNERABILITY occurrences. */
export interface Finding {
  id: string;
  aliases: string[];
  severity: string;
  fixable: boolean;
}

export interface PullFacts {
  /** the image as Binary Authorization names it: LOCATION-docker.pkg.dev/P/R/IMAGE (and its @digest form) */
  imageNames: string[];
  /** the puller's email (a service account's or user's), or `anonymous` */
  principalEmail: string;
  findings: Finding[];
  /** attestors (full names) with a valid attestation of the digest */
  attestedBy: ReadonlySet<string>;
}

export type Verdict =
  | { allowed: true; why: string }
  | { allowed: false; dryRun: boolean; rule: string; message: string; worst?: Finding };

const SEVERITY_RANK: Record<string, number> = { SEVERITY_UNSPECIFIED: 0, MINIMAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };
const rank = (s: string) => SEVERITY_RANK[s] ?? 0;

/** Allowlist patterns: a trailing `*` stops at `/`, `**` does not (Binary Authorization's namePattern rules). */
export function patternMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split(/(\*\*|\*)/).map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(name);
}

/** The finding that breaks the check, worst first; undefined when the image passes. */
export function vulnerabilityViolation(check: VulnerabilityCheck, findings: Finding[]): Finding | undefined {
  const named = (f: Finding, list: string[] | undefined) => !!list?.some((c) => c === f.id || f.aliases.includes(c));
  const limit = (m: MaxSeverity | undefined) => (m === undefined || m === 'ALLOW_ALL' ? Infinity : m === 'BLOCK_ALL' ? -1 : rank(m));
  const failing = findings.filter((f) => {
    if (named(f, check.blockedCves)) return true;
    if (named(f, check.allowedCves)) return false;
    return rank(f.severity) > limit(f.fixable ? check.maximumFixableSeverity : check.maximumUnfixableSeverity);
  });
  return failing.sort((a, b) => rank(b.severity) - rank(a.severity) || (a.id < b.id ? -1 : 1))[0];
}

const describeFinding = (f: Finding) => `${f.id} (${f.severity === 'SEVERITY_UNSPECIFIED' ? 'severity unspecified' : f.severity}${f.fixable ? ', fixable' : ''})`;

/** Which rule applies to the pull, and what it says. */
export function evaluate(policy: Policy, facts: PullFacts): Verdict {
  const image = facts.imageNames[0]!;
  if (policy.admissionWhitelistPatterns?.some((p) => facts.imageNames.some((n) => patternMatches(p.namePattern, n)))) return { allowed: true, why: 'admissionWhitelistPatterns' };
  const specific = policy.kubernetesServiceAccountAdmissionRules?.[facts.principalEmail];
  const rule = specific ?? policy.defaultAdmissionRule;
  const ruleName = specific ? `kubernetesServiceAccountAdmissionRules["${facts.principalEmail}"]` : 'defaultAdmissionRule';
  const ruleWords = specific ? `admission rule for ${facts.principalEmail}` : 'default admission rule';
  const dryRun = rule.enforcementMode === 'DRYRUN_AUDIT_LOG_ONLY';
  const deny = (message: string, worst?: Finding): Verdict => ({ allowed: false, dryRun, rule: ruleName, message, ...(worst ? { worst } : {}) });
  const head = `Image ${image} denied by Binary Authorization ${ruleWords}.`;
  if (rule.evaluationMode === 'ALWAYS_DENY') return deny(`${head} Denied by always_deny admission rule`);
  const missing = (rule.requireAttestationsBy ?? []).filter((a) => !facts.attestedBy.has(a));
  const failing = rule.vulnerabilityCheck ? vulnerabilityViolation(rule.vulnerabilityCheck, facts.findings) : undefined;
  if (rule.vulnerabilityCheck) {
    if (!failing) return { allowed: true, why: `${ruleName}: vulnerability check passed` };
    const found = `Image ${image} failed to pass the vulnerability check: ${describeFinding(failing)} is above the allowed severity`;
    if (rule.evaluationMode === 'ALWAYS_ALLOW') return deny(`${head} ${found}.`, failing);
    if (missing.length === 0) return { allowed: true, why: `${ruleName}: vulnerable but attested` };
    return deny(`${head} ${found}, and it is not attested: denied by attestor ${missing[0]}: No attestations found that were valid and signed by a key trusted by the attestor`, failing);
  }
  if (rule.evaluationMode === 'ALWAYS_ALLOW') return { allowed: true, why: `${ruleName}: always allow` };
  if (missing.length === 0) return { allowed: true, why: `${ruleName}: attested` };
  return deny(`${head} Image ${image} denied by attestor ${missing[0]}: No attestations found that were valid and signed by a key trusted by the attestor`);
}
