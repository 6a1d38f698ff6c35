// Reads the config file (YAML 1.2, so JSON too) into the declared state, or a list of `file:line: what is wrong`
// problems: YAML syntax and duplicate keys (yaml's own errors), then the JSON Schema (ajv), then what the schema
// cannot say (two repositories with one name). Every problem carries the line and column of the node it is about.
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { CONFIG_SCHEMA } from './schema.js';

/** the largest config file read (a seed file, not a data store) */
export const MAX_CONFIG_BYTES = 4 << 20;

export interface ConfigProblem {
  line: number;
  column: number;
  message: string;
}

export interface DeclaredRepository {
  name: string;
  /** the Repository body without `name` (API JSON shape) */
  body: Record<string, unknown>;
  line: number;
}

export interface DeclaredServiceAccount {
  email: string;
  displayName?: string;
  keyFile?: string;
  line: number;
}

export interface DeclaredPreload {
  repository: string;
  file: string;
  /** the upload's metadata (GENERIC: packageId, versionId, filename) */
  metadata: Record<string, string>;
  line: number;
}

export interface DeclaredConfig {
  repositories: DeclaredRepository[];
  preload: DeclaredPreload[];
  iamPolicies: Array<{ resource: string; policy: Record<string, unknown>; line: number }>;
  /** download rules: their full names and bodies (the Rule resource without `name`) */
  rules: Array<{ name: string; body: Record<string, unknown>; line: number }>;
  serviceAccounts: DeclaredServiceAccount[];
}

export type ParseResult = { ok: true; config: DeclaredConfig } | { ok: false; problems: ConfigProblem[] };

let compiled: ReturnType<Ajv['compile']> | undefined;
/** compiled on first use, off the startup path of an emulator without a config file */
const validator = () => (compiled ??= new Ajv({ allErrors: true, strict: true }).compile(CONFIG_SCHEMA));

export function parseConfig(text: string): ParseResult {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return { ok: false, problems: [{ line: 1, column: 1, message: `the file is larger than ${MAX_CONFIG_BYTES} bytes` }] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length) return { ok: false, problems: doc.errors.map((e) => ({ ...at(e.pos[0]), message: e.message.split('\n')[0]! })) };
  const value: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const validate = validator();
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => ({ ...at(offsetOf(doc, e)), message: describe(e) }));
    return { ok: false, problems: dedupe(problems) };
  }
  const v = value as {
    repositories?: Array<Record<string, unknown> & { name: string }>;
    iamPolicies?: Record<string, Record<string, unknown>>;
    rules?: Array<Record<string, unknown> & { name: string }>;
    serviceAccounts?: Array<{ email: string; displayName?: string; keyFile?: string }>;
    preload?: Array<{ repository: string; file: string } & Record<string, string>>;
  };
  const lineOf = (path: Array<string | number>) => at(nodeAt(doc, path)?.range?.[0]).line;
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  const repositories = (v.repositories ?? []).map((r, i) => {
    const line = lineOf(['repositories', i]);
    const first = seen.get(r.name);
    if (first !== undefined) problems.push({ ...at(nodeAt(doc, ['repositories', i, 'name'])?.range?.[0]), message: `repository "${r.name}" is declared twice (first on line ${first})` });
    else seen.set(r.name, line);
    const { name, ...body } = r;
    return { name, body, line };
  });
  const ruleNames = new Map<string, number>();
  const rules = (v.rules ?? []).map((r, i) => {
    const line = lineOf(['rules', i]);
    const first = ruleNames.get(r.name);
    if (first !== undefined) problems.push({ ...at(nodeAt(doc, ['rules', i, 'name'])?.range?.[0]), message: `rule "${r.name}" is declared twice (first on line ${first})` });
    else ruleNames.set(r.name, line);
    const { name, ...body } = r;
    return { name, body, line };
  });
  const emails = new Map<string, number>();
  const serviceAccounts = (v.serviceAccounts ?? []).map((s, i) => {
    const line = lineOf(['serviceAccounts', i]);
    const first = emails.get(s.email);
    if (first !== undefined) problems.push({ line, column: 1, message: `service account "${s.email}" is declared twice (first on line ${first})` });
    else emails.set(s.email, line);
    return { ...s, line };
  });
  if (problems.length) return { ok: false, problems };
  const iamPolicies = Object.entries(v.iamPolicies ?? {}).map(([resource, policy]) => ({ resource, policy, line: lineOf(['iamPolicies', resource]) }));
  const preload = (v.preload ?? []).map(({ repository, file, ...metadata }, i) => ({ repository, file, metadata, line: lineOf(['preload', i]) }));
  return { ok: true, config: { repositories, iamPolicies, rules, serviceAccounts, preload } };
}

/** `file:line:column: message`, one per problem */
export function formatProblems(file: string, problems: readonly ConfigProblem[]): string[] {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`);
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~') : 'the file';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}" in ${where}`;
    case 'required':
      return `${where} needs the field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'type':
      return `${where} must be ${article((e.params as { type: string }).type)}`;
    case 'propertyNames':
      return `${where}: ${JSON.stringify((e.params as { propertyName: string }).propertyName)} is not a resource name (projects/P or projects/P/locations/L/repositories/R)`;
    case 'pattern':
      return `${where} is malformed (expected the pattern ${(e.params as { pattern: string }).pattern})`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** The source offset an ajv error is about: the unknown key itself, else the node at the instance path. */
function offsetOf(doc: Document, e: ErrorObject): number | undefined {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const node = nodeAt(doc, path);
  if (e.keyword === 'additionalProperties' && isMap(node)) {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    return (pair?.key as Node | undefined)?.range?.[0] ?? node.range?.[0];
  }
  if (e.keyword === 'propertyNames' && isMap(node)) {
    const key = (e.params as { propertyName: string }).propertyName;
    const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    return (pair?.key as Node | undefined)?.range?.[0] ?? node.range?.[0];
  }
  return node?.range?.[0];
}

function nodeAt(doc: Document, path: Array<string | number>): Node | undefined {
  let node: unknown = doc.contents;
  for (const step of path) {
    if (isMap(node)) node = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === step)?.value;
    else if (isSeq(node) && typeof step === 'number') node = node.items[step];
    else return undefined;
  }
  return (node ?? undefined) as Node | undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
