// Severity of an advisory as Grafeas reports it (SEVERITY_UNSPECIFIED, MINIMAL, LOW, MEDIUM, HIGH, CRITICAL) and its
// CVSS base score. Scores come from the CVSS vectors in OSV's `severity[]` (computed by ae-cvss-calculator, which
// implements CVSS 2.0, 3.0, 3.1 and 4.0); the label from `database_specific.severity` where the source gives one
// (GitHub's LOW/MODERATE/HIGH/CRITICAL), else from the score by the CVSS qualitative scale, else CRITICAL for
// malicious-package reports (MAL- ids, as Artifact Analysis reports them), else unspecified.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type CvssModule = typeof import('ae-cvss-calculator');
let cvssModule: CvssModule | undefined;
const cvss = (): CvssModule => (cvssModule ??= require('ae-cvss-calculator') as CvssModule);

export type Severity = 'SEVERITY_UNSPECIFIED' | 'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type CvssVersion = 'CVSS_VERSION_2' | 'CVSS_VERSION_3' | 'CVSS_VERSION_4';

export interface SeverityInfo {
  severity: Severity;
  /** base score of the preferred vector (3.x, else 4.0, else 2.0) */
  cvssScore?: number;
  cvssVersion?: CvssVersion;
  cvssVector?: string;
}

export interface OsvSeverityEntry {
  type: string;
  score: string;
}

/** The base score of a CVSS vector, or a reason it has none. */
export function cvssBaseScore(type: string, vector: string): { score: number; version: CvssVersion } | { problem: string } {
  const m = cvss();
  let calc: { calculateScores(): { base?: number } };
  let version: CvssVersion;
  try {
    if (type === 'CVSS_V3') {
      if (vector.startsWith('CVSS:3.1/')) calc = new m.Cvss3P1(vector);
      else if (vector.startsWith('CVSS:3.0/')) calc = new m.Cvss3P0(vector);
      else return { problem: 'a CVSS_V3 vector starts with CVSS:3.0/ or CVSS:3.1/' };
      version = 'CVSS_VERSION_3';
    } else if (type === 'CVSS_V4') {
      if (!vector.startsWith('CVSS:4.0/')) return { problem: 'a CVSS_V4 vector starts with CVSS:4.0/' };
      calc = new m.Cvss4P0(vector);
      version = 'CVSS_VERSION_4';
    } else if (type === 'CVSS_V2') {
      calc = new m.Cvss2(vector.replace(/^\(|\)$/g, ''));
      version = 'CVSS_VERSION_2';
    } else {
      return { problem: `"${type}" is not a CVSS type` };
    }
    const base = calc.calculateScores().base;
    if (typeof base !== 'number' || !Number.isFinite(base)) return { problem: 'the vector lacks base metrics' };
    return { score: base, version };
  } catch (err) {
    return { problem: (err as Error).message.slice(0, 200) };
  }
}

/** CVSS v3/v4 qualitative rating (v2 has no CRITICAL band: 7.0-10.0 is HIGH). */
export function severityOfScore(score: number, version: CvssVersion): Severity {
  if (score === 0) return 'MINIMAL';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (version === 'CVSS_VERSION_2' || score < 9) return 'HIGH';
  return 'CRITICAL';
}

const LABELS: Record<string, Severity> = {
  LOW: 'LOW', MODERATE: 'MEDIUM', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL', NEGLIGIBLE: 'MINIMAL', MINIMAL: 'MINIMAL',
};

export function severityOf(input: { id: string; aliases?: readonly string[]; severity?: readonly OsvSeverityEntry[]; databaseSpecificSeverity?: unknown }): SeverityInfo {
  const scored: Array<{ score: number; version: CvssVersion; vector: string }> = [];
  let ubuntu: Severity | undefined;
  for (const s of input.severity ?? []) {
    if (s.type === 'Ubuntu') {
      ubuntu ??= LABELS[s.score.toUpperCase()];
      continue;
    }
    const r = cvssBaseScore(s.type, s.score);
    if ('score' in r) scored.push({ ...r, vector: s.score });
  }
  const rank = { CVSS_VERSION_3: 0, CVSS_VERSION_4: 1, CVSS_VERSION_2: 2 } as const;
  scored.sort((a, b) => rank[a.version] - rank[b.version]);
  const best = scored[0];
  const out: SeverityInfo = { severity: 'SEVERITY_UNSPECIFIED' };
  if (best) Object.assign(out, { cvssScore: best.score, cvssVersion: best.version, cvssVector: best.vector });
  const label = typeof input.databaseSpecificSeverity === 'string' ? LABELS[input.databaseSpecificSeverity.toUpperCase()] : undefined;
  if (label) out.severity = label;
  else if (best) out.severity = severityOfScore(best.score, best.version);
  else if (ubuntu) out.severity = ubuntu;
  else if ([input.id, ...(input.aliases ?? [])].some((i) => i.startsWith('MAL-'))) out.severity = 'CRITICAL';
  return out;
}
