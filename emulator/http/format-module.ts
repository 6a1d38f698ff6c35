// What a protocol front (a package format, the control plane, the emulator's own API) gives the HTTP layer.
import type { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { AppContext } from './context.js';
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
}
