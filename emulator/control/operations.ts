// Long-running operations. Every operation completes before it is returned (`done: true`), which gcloud,
// the Node client and Terraform all accept (spec ar-fidelity §1.7). Kept in memory, newest 1,000.
import { EmulatorError } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import { operationName } from '../core/names.js';
import type { OperationResource } from './dto.js';

const TYPE_PREFIX = 'type.googleapis.com/google.devtools.artifactregistry.v1.';
const MAX_KEPT = 1000;

export class OperationStore {
  private readonly ops = new Map<string, OperationResource>();

  constructor(private readonly ids: IdGenerator) {}

  /** A finished operation whose response is `response` of proto type `responseType` (e.g. `Repository`). */
  completed(project: string, location: string, responseType: string, response: Record<string, unknown>, metadataType = 'OperationMetadata', metadata: Record<string, unknown> = {}): OperationResource {
    const name = operationName(project, location, this.ids.uuid());
    const type = responseType === 'Empty' ? 'type.googleapis.com/google.protobuf.Empty' : `${TYPE_PREFIX}${responseType}`;
    const op: OperationResource = {
      name,
      metadata: { '@type': `${TYPE_PREFIX}${metadataType}`, ...metadata },
      done: true,
      response: { '@type': type, ...response },
    };
    this.ops.set(name, op);
    if (this.ops.size > MAX_KEPT) this.ops.delete(this.ops.keys().next().value!);
    return op;
  }

  get(name: string): OperationResource {
    const op = this.ops.get(name);
    if (!op) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return op;
  }
}
