// What a protocol front (a package format, the control plane, the emulator's own API) gives the HTTP layer: the
// one descriptor a format registers (emulator/index.ts), carrying everything shared code needs to know about it.
import type { AccessCheck } from '../core/access.js';
import type { EmulatorError } from '../core/errors.js';
import type { EmulatorEventType } from '../core/events.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { PreloadKind } from '../core/preload-kind.js';
import type { ImportKind } from '../core/import-kind.js';
import type { UploadKind } from '../core/upload-kind.js';
import type { AppContext, RouteParams } from './context.js';
import type { Routes } from './routes.js';

export interface FormatModule {
  /** `docker`, `control`, `emulator`, `ui`, later `npm`, `python`, … */
  id: string;
  /** The Artifact Registry format of the repositories it serves (`DOCKER`, `NPM`, …); absent for the control plane, the emulator API and the dashboard. */
  repositoryFormat?: string;
  /** Fixed path prefixes it owns (`/v2/`); a bare prefix without its final slash is included. */
  prefixes?: readonly string[];
  /** Whether it is reached at `/PROJECT/REPO/…` for a repository of its format (npm, Python, Maven, Go, …). */
  repositoryPaths?: boolean;
  /**
   * Whether it is reached under `/projects/PROJECT/…` for a repository of its format: Apt's `dists/REPO/…` and
   * `pool/REPO/…`, Yum's `REPO/…` (spec ar-fidelity §2: the literal `projects/` segment of apt.pkg.dev and yum.pkg.dev).
   */
  projectPaths?: boolean;
  /**
   * The User-Agent of its clients (`npm/…`, `pip/…`). When the Host names no format, a request from one of them about
   * a repository that is missing or of another format gets its error in this module's dialect (npm would print
   * Google's JSON error as `[object Object]`). Never used to choose who serves a request.
   */
  clientAgent?: RegExp;
  routes: Routes;
  /** Writes `err` as this protocol's error response (status, headers, body). */
  renderError(err: EmulatorError, ctx: AppContext): void;
  /** Response headers a failed request must not keep (set by a handler before it threw). */
  errorStripHeaders?: readonly string[];
  /** How IAM words its denials for this protocol (iam/denials.ts): the registry's texts or the REST API's. */
  denialWording?: 'registry' | 'rest';
  /** Adds this protocol's authentication challenge (e.g. `WWW-Authenticate: Bearer …`) to an UNAUTHENTICATED error. */
  challenge?(ctx: AppContext, err: EmulatorError): EmulatorError;
  /** Checks the format-specific part of a repository being created (`dockerConfig`, `mavenConfig`, …). */
  validateRepositoryConfig?(config: Record<string, unknown>): void;
  /** Digests of every blob this format's metadata still references (for garbage collection). */
  referencedBlobs?(): Iterable<string>;
  /** Work done once after the server is ready, off the startup path (building indexes of stored data). */
  warmUp?(): Promise<void>;
  /** The format's artifacts in Artifact Registry's terms (packages, versions, tags, files). */
  inventory?: ArtifactInventory;
  /** The `/upload/v1/…/<kind>:create` methods it serves through the control plane's upload protocol. */
  uploadKinds?: readonly UploadKind[];
  /** The `/v1/{parent}/<kind>:import` methods it serves through the control plane (Apt, Yum). */
  importKinds?: readonly ImportKind[];
  /** the config file's preload of this format's files through its own publish path (core/preload-kind.ts) */
  preloadKind?: PreloadKind;
  /** Events its services emit (documentation and the event feed's filters). */
  events?: readonly EmulatorEventType[];
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
