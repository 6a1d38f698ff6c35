// What a protocol front (a package format, the control plane, the emulator's own API) gives the HTTP layer.
import type { AccessCheck } from '../core/access.js';
import type { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { AppContext, RouteParams } from './context.js';
import type { RouteTable } from './route-table.js';

export interface FormatModule {
  /** `docker`, `control`, `emulator`, later `npm`, `python`, … */
  id: string;
  routes: RouteTable;
  /** Writes `err` as this protocol's error response (status, headers, body). */
  renderError(err: EmulatorError, ctx: AppContext): void;
  /** Digests of every blob this format's metadata still references (for garbage collection). */
  referencedBlobs?(): Iterable<string>;
  /** The format's artifacts in Artifact Registry's terms (packages, versions, tags, files). */
  inventory?: ArtifactInventory;
  /** What IAM must allow for a matched route; undefined means no check (public endpoints, bad names). */
  access?(routeName: string, params: RouteParams, ctx: AppContext): AccessCheck | undefined;
}

/** Authentication and authorisation, decided by IAM and called by dispatch at one position. */
export interface RequestGuard {
  /** Sets ctx.state.principal from the request's credentials; UNAUTHENTICATED when they are invalid. */
  authenticate(ctx: AppContext, module: FormatModule): Promise<void>;
  /** Throws UNAUTHENTICATED or PERMISSION_DENIED (in the module's wording) when IAM does not allow it. */
  authorize(ctx: AppContext, module: FormatModule, check: AccessCheck | undefined): Promise<void>;
}
