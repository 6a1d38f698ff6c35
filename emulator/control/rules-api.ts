// Rules (rule.proto): CRUD over the repository's download rules; the check every download passes lives in
// content/download-rules.ts. One rule per repository (no packageId) plus one per package (docs/rules.md).
import { EmulatorError } from '../core/errors.js';
import { clip, parseResourceName, repositoryName, type RepositoryRef } from '../core/names.js';
import { compileCondition, RULE_ACTIONS, RULE_OPERATIONS, type RuleCondition, type RuleRecord } from '../content/download-rules.js';
import type { ControlApi, Json } from './api.js';
import type { ControlServiceDeps } from './control-service.js';
import { listPage } from './listing.js';
import { rejectUnknownFields } from './unknown-fields.js';

/** Rule ids (restrict-artifact-downloads docs): letters, digits, percent-encoded characters and `-._~:@+^`, at most 256. */
const RULE_ID = /^(?:[A-Za-z0-9\-._~:@+^]|%[0-9A-Fa-f]{2}){1,256}$/;
const RULE_FIELDS = ['name', 'action', 'operation', 'condition', 'packageId'] as const;
const CONDITION_FIELDS = ['expression', 'title', 'description', 'location'] as const;
const MASKABLE: Record<string, (typeof RULE_FIELDS)[number]> = {
  action: 'action', operation: 'operation', condition: 'condition', package_id: 'packageId', packageId: 'packageId',
};

export function rulesApi(d: ControlServiceDeps): Pick<ControlApi, 'listRules' | 'getRule' | 'createRule' | 'updateRule' | 'deleteRule'> {
  const store = () => {
    if (!d.rules) throw new EmulatorError('UNSUPPORTED', 'Rules are not served by this emulator instance.');
    return d.rules;
  };
  const ruleOf = (name: string, field = 'name') => {
    const n = parseResourceName(name, 'rule', field);
    d.repositories.get(n.ref);
    const rule = store().get(n.ref, n.rule);
    if (!rule) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return { n, rule };
  };

  return {
    async listRules(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      d.repositories.get(ref);
      const r = listPage(store().list(ref) as unknown as Json[], { scope: `${req.parent}|rules`, filterFields: {}, orderFields: {} }, req, d.pageTokens);
      return { ...(r.items.length ? { rules: r.items } : {}), ...(r.nextPageToken ? { nextPageToken: r.nextPageToken } : {}) };
    },
    async getRule(req) {
      return ruleOf(req.name).rule as unknown as Json;
    },
    async createRule(req) {
      const ref = parseResourceName(req.parent, 'repository', 'parent').ref;
      d.repositories.get(ref);
      const id = req.ruleId ?? '';
      if (!id) throw new EmulatorError('INVALID_ARGUMENT', 'Field "rule_id" is required.', { field: 'rule_id' });
      if (!RULE_ID.test(id)) {
        throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "rule_id": "${clip(id)}". Rule ids are at most 256 letters, digits, percent-encoded characters or any of - . _ ~ : @ + ^.`, { field: 'rule_id' });
      }
      const rule = normalize(req.rule ?? {}, ref, id);
      return (await store().put(ref, id, rule, true)) as unknown as Json;
    },
    async updateRule(req) {
      const { n, rule } = ruleOf(String(req.rule?.name ?? ''), 'rule.name');
      const body = req.rule ?? {};
      rejectUnknownFields(body, RULE_FIELDS, 'rule');
      const paths = req.updateMask?.length ? req.updateMask : Object.keys(body).filter((k) => k !== 'name');
      const changed: Json = {};
      for (const p of paths) {
        const field = MASKABLE[p];
        if (!field) throw new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: "${clip(p, 60)}" is not a field of Rule that can be updated (action, operation, condition, package_id).`, { field: 'update_mask' });
        changed[field] = body[field];
      }
      const merged: Json = { ...(rule as unknown as Json) };
      for (const [k, v] of Object.entries(changed)) {
        if (v === undefined || v === null || v === '') delete merged[k];
        else merged[k] = v;
      }
      const next = normalize(merged, n.ref, n.rule);
      return (await store().put(n.ref, n.rule, next, false)) as unknown as Json;
    },
    async deleteRule(req) {
      const { n } = ruleOf(req.name);
      await store().delete(n.ref, n.rule);
      return {};
    },
  };
}

/** A Rule from a request (REST JSON with enums by name or number, or gRPC's proto JSON) as stored. */
function normalize(body: Json, ref: RepositoryRef, id: string): RuleRecord {
  rejectUnknownFields(body, RULE_FIELDS, 'rule');
  const action = enumValue(body.action, RULE_ACTIONS, 'rule.action');
  if (action === 'ACTION_UNSPECIFIED') throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "rule.action": ALLOW or DENY is required.', { field: 'rule.action' });
  // an unspecified operation is stored as sent and enforced as DOWNLOAD, the only operation there is (docs/rules.md [U])
  const operation = enumValue(body.operation, RULE_OPERATIONS, 'rule.operation');
  const rule: RuleRecord = { name: `${repositoryName(ref)}/rules/${id}`, action, operation };
  if (body.packageId !== undefined && body.packageId !== null && body.packageId !== '') {
    if (typeof body.packageId !== 'string' || body.packageId.length > 1024 || /[\u0000-\u001f]/.test(body.packageId)) {
      throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "rule.package_id": a package id of at most 1024 characters.', { field: 'rule.package_id' });
    }
    rule.packageId = body.packageId;
  }
  if (body.condition !== undefined && body.condition !== null) {
    const c = body.condition as Json;
    if (typeof c !== 'object' || Array.isArray(c)) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "rule.condition": an Expr object.', { field: 'rule.condition' });
    rejectUnknownFields(c, CONDITION_FIELDS, 'rule.condition');
    const condition: RuleCondition = { expression: '' };
    for (const k of CONDITION_FIELDS) {
      const v = c[k];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string' || v.length > 4096) throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "rule.condition.${k}": a string of at most 4096 characters.`, { field: `rule.condition.${k}` });
      condition[k] = v;
    }
    if (condition.expression.trim()) {
      compileCondition(condition.expression, 'rule.condition.expression');
      rule.condition = condition;
    } else if (Object.keys(condition).length > 1) {
      throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "rule.condition.expression": required when a condition is given.', { field: 'rule.condition.expression' });
    }
  }
  return rule;
}

function enumValue<T extends string>(value: unknown, names: readonly T[], field: string): T {
  if (value === undefined || value === null || value === '' || value === 0) return names[0]!;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return names[value]!;
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  throw new EmulatorError('INVALID_ARGUMENT', `Invalid value for field "${field}": "${clip(String(value), 40)}" is not one of ${names.join(', ')}.`, { field });
}
