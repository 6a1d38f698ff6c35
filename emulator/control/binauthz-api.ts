// Binary Authorization v1 REST (spec ar-fidelity §6.5) on the emulator's port, the deploy policy of docs/deploy-policy.md:
// `GET/PUT /v1/projects/P/policy`, attestors CRUD at `/v1/projects/P/attestors[/A]`, and the one Grafeas write the
// emulator takes, `POST /v1/projects/P/occurrences` of kind ATTESTATION (with `DELETE …/occurrences/ID` for those).
// Point gcloud at it with `api_endpoint_overrides/binaryauthorization` (and `…/containeranalysis` for the attestation).
// Google JSON errors (the control module renders them). IAM: `binauthz.*` operations of iam/permissions.ts, on the
// project. Control knows the policy only through BinauthzAccess (emulator/index.ts passes scanning/deploy-policy-store.ts).
import type { AccessCheck } from '../core/access.js';
import { decodePercent } from '../core/decode-percent.js';
import { EmulatorError } from '../core/errors.js';
import { isValidProjectId } from '../core/names.js';
import type { Handler, RouteParams } from '../http/context.js';
import { readJson } from '../http/body.js';
import type { RouteDef } from '../http/routes.js';
import { query, respond, seg } from './rest/request.js';

export interface BinauthzAccess {
  getPolicy(project: string): object;
  putPolicy(project: string, body: unknown): Promise<object>;
  listAttestors(project: string): object[];
  getAttestor(project: string, id: string): object;
  createAttestor(project: string, id: string, body: unknown): Promise<object>;
  updateAttestor(project: string, id: string, body: unknown): Promise<object>;
  deleteAttestor(project: string, id: string): Promise<void>;
  validateAttestation(project: string, id: string, body: unknown): object;
  createAttestation(project: string, body: unknown): Promise<object>;
  deleteAttestation(project: string, id: string): Promise<boolean>;
}

const P = '/v1/projects/:project';
const ATTESTOR_ID = /^[A-Za-z0-9_-]{1,100}$/;

function project(params: RouteParams): string {
  const p = decodePercent(seg(params.project));
  if (!isValidProjectId(p)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid resource field value in the request: project "${p.slice(0, 63)}".`, { field: 'name' });
  return p;
}

function attestorId(raw: string | undefined, field: string): string {
  const id = decodePercent(seg(raw));
  if (!ATTESTOR_ID.test(id)) throw new EmulatorError('INVALID_ARGUMENT', `${field} "${id.slice(0, 100)}" is not a valid attestor id (letters, digits, - and _, at most 100).`, { field });
  return id;
}

export function binauthzRoutes(d: { binauthz: BinauthzAccess }): RouteDef[] {
  const h = (fn: Handler): Handler => async (ctx, params) => {
    ctx.set('Cache-Control', 'no-store');
    await fn(ctx, params);
  };
  return [
    { name: 'binauthz.policy.get', method: 'GET', path: `${P}/policy`, handler: h(async (ctx, p) => respond(ctx, d.binauthz.getPolicy(project(p)))) },
    { name: 'binauthz.policy.update', method: 'PUT', path: `${P}/policy`, handler: h(async (ctx, p) => respond(ctx, await d.binauthz.putPolicy(project(p), await readJson(ctx, 1 << 20)))) },
    {
      name: 'binauthz.attestors.list', method: 'GET', path: `${P}/attestors`,
      handler: h(async (ctx, p) => {
        const all = d.binauthz.listAttestors(project(p));
        respond(ctx, all.length ? { attestors: all } : {});
      }),
    },
    {
      name: 'binauthz.attestors.create', method: 'POST', path: `${P}/attestors`,
      handler: h(async (ctx, p) => {
        const id = query(ctx, 'attestorId');
        if (!id) throw new EmulatorError('INVALID_ARGUMENT', 'attestorId is required.', { field: 'attestor_id' });
        respond(ctx, await d.binauthz.createAttestor(project(p), attestorId(id, 'attestor_id'), await readJson(ctx, 1 << 20)));
      }),
    },
    {
      name: 'binauthz.attestors.validateAttestationOccurrence', method: 'POST', path: `${P}/attestors/:attestor\\:validateAttestationOccurrence`,
      handler: h(async (ctx, p) => respond(ctx, d.binauthz.validateAttestation(project(p), attestorId(p.attestor, 'attestor'), await readJson(ctx, 2 << 20)))),
    },
    { name: 'binauthz.attestors.get', method: 'GET', path: `${P}/attestors/:attestor`, handler: h(async (ctx, p) => respond(ctx, d.binauthz.getAttestor(project(p), attestorId(p.attestor, 'name')))) },
    { name: 'binauthz.attestors.update', method: 'PUT', path: `${P}/attestors/:attestor`, handler: h(async (ctx, p) => respond(ctx, await d.binauthz.updateAttestor(project(p), attestorId(p.attestor, 'name'), await readJson(ctx, 1 << 20)))) },
    {
      name: 'binauthz.attestors.delete', method: 'DELETE', path: `${P}/attestors/:attestor`,
      handler: h(async (ctx, p) => {
        await d.binauthz.deleteAttestor(project(p), attestorId(p.attestor, 'name'));
        respond(ctx, {});
      }),
    },
    { name: 'binauthz.occurrences.create', method: 'POST', path: `${P}/occurrences`, handler: h(async (ctx, p) => respond(ctx, await d.binauthz.createAttestation(project(p), await readJson(ctx, 2 << 20)))) },
    {
      name: 'binauthz.occurrences.delete', method: 'DELETE', path: `${P}/occurrences/:occurrence`,
      handler: h(async (ctx, p) => {
        const pr = project(p);
        const id = decodePercent(seg(p.occurrence));
        if (!(await d.binauthz.deleteAttestation(pr, id))) throw new EmulatorError('NOT_FOUND', `Occurrence projects/${pr}/occurrences/${id.slice(0, 100)} not found (the emulator deletes only the ATTESTATION occurrences it was given).`);
        respond(ctx, {});
      }),
    },
  ];
}

/** What IAM must allow for a `binauthz.*` route (operation ids of iam/permissions.ts); undefined for other routes. */
export function binauthzAccess(routeName: string, params: RouteParams): AccessCheck | undefined {
  if (!routeName.startsWith('binauthz.')) return undefined;
  return { operation: routeName, project: decodePercent(seg(params.project)) };
}
