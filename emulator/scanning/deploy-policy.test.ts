// The deploy policy's pure part: allowlist patterns, the vulnerability check's thresholds, and which rule decides.
import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy, patternMatches, vulnerabilityViolation, type Finding } from './deploy-policy.js';

const f = (id: string, severity: string, fixable: boolean, aliases: string[] = []): Finding => ({ id, severity, fixable, aliases });
const IMAGE = 'us-central1-docker.pkg.dev/p/r/app';

describe('admissionWhitelistPatterns', () => {
  it('`*` stays within a segment, `**` crosses them, the rest is literal', () => {
    expect(patternMatches('us-central1-docker.pkg.dev/p/r/*', IMAGE)).toBe(true);
    expect(patternMatches('us-central1-docker.pkg.dev/p/*', IMAGE)).toBe(false);
    expect(patternMatches('us-central1-docker.pkg.dev/p/**', IMAGE)).toBe(true);
    expect(patternMatches('us-central1-docker.pkg.dev/p/r/ap*', `${IMAGE}@sha256:ab`)).toBe(true);
    expect(patternMatches('us-central1-docker.pkg.dev/p/r/a.p', IMAGE)).toBe(false);
    expect(patternMatches(IMAGE, IMAGE)).toBe(true);
  });
});

describe('vulnerabilityCheck', () => {
  const findings = [f('GHSA-1', 'HIGH', true, ['CVE-2021-1']), f('GHSA-2', 'CRITICAL', false), f('DSA-3', 'SEVERITY_UNSPECIFIED', true)];
  it('fails on the worst finding above the maximum of its kind (fixable or not)', () => {
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'MEDIUM', maximumUnfixableSeverity: 'ALLOW_ALL' }, findings)?.id).toBe('GHSA-1');
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'MEDIUM', maximumUnfixableSeverity: 'HIGH' }, findings)?.id).toBe('GHSA-2');
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'HIGH' }, findings)).toBeUndefined();
  });
  it('allowedCves waive by id or alias, blockedCves fail whatever the severity, BLOCK_ALL fails even unspecified ones', () => {
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'MEDIUM', allowedCves: ['CVE-2021-1'] }, findings)).toBeUndefined();
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'CRITICAL', blockedCves: ['DSA-3'] }, findings)?.id).toBe('DSA-3');
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'MINIMAL' }, [findings[2]!])).toBeUndefined();
    expect(vulnerabilityViolation({ maximumFixableSeverity: 'BLOCK_ALL' }, [findings[2]!])?.id).toBe('DSA-3');
  });
});

describe('evaluate', () => {
  const policy = parsePolicy('p', {
    defaultAdmissionRule: { evaluationMode: 'ALWAYS_DENY', enforcementMode: 'ENFORCED_BLOCK_AND_AUDIT_LOG' },
    kubernetesServiceAccountAdmissionRules: {
      'deployer@p.iam.gserviceaccount.com': {
        evaluationMode: 'REQUIRE_ATTESTATION', requireAttestationsBy: ['projects/p/attestors/a'], enforcementMode: 'DRYRUN_AUDIT_LOG_ONLY',
        vulnerabilityCheck: { maximumFixableSeverity: 'MEDIUM' },
      },
    },
  });
  const facts = (principalEmail: string, findings: Finding[], attested: string[] = []) => ({ imageNames: [IMAGE, `${IMAGE}@sha256:ab`], principalEmail, findings, attestedBy: new Set(attested) });
  it('the puller picks the specific rule, else the default one', () => {
    expect(evaluate(policy, facts('someone@example.com', []))).toMatchObject({ allowed: false, rule: 'defaultAdmissionRule', dryRun: false });
    expect(evaluate(policy, facts('deployer@p.iam.gserviceaccount.com', []))).toMatchObject({ allowed: true });
    const v = evaluate(policy, facts('deployer@p.iam.gserviceaccount.com', [f('GHSA-1', 'HIGH', true)]));
    expect(v).toMatchObject({ allowed: false, dryRun: true, worst: { id: 'GHSA-1' } });
    expect(evaluate(policy, facts('deployer@p.iam.gserviceaccount.com', [f('GHSA-1', 'HIGH', true)], ['projects/p/attestors/a']))).toMatchObject({ allowed: true });
  });
});
