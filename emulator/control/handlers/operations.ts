// GET /v1/projects/*/locations/*/operations/* — operations.get.
import type { Handler } from '../../http/context.js';
import { operationName } from '../../core/names.js';
import type { OperationStore } from '../operations.js';

export function operationHandlers(ops: OperationStore): { getOperation: Handler } {
  return {
    getOperation: async (ctx, p) => {
      ctx.body = ops.get(operationName(p.project!, p.location!, p.operation!));
    },
  };
}
