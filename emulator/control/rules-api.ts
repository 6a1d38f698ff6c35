// Rules (rule.proto): CRUD over the repository's rules; the download check lives in content/download-rules.ts.
// Groundwork stub: answers UNIMPLEMENTED until its owner lands it.
import { EmulatorError } from '../core/errors.js';
import type { ControlApi } from './api.js';
import type { ControlServiceDeps } from './control-service.js';

const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
const todo = (rpc: string) => async (): Promise<never> => {
  throw new EmulatorError('UNSUPPORTED', `Method ${SERVICE}.${rpc} is not implemented by the emulator.`);
};

export function rulesApi(_d: ControlServiceDeps): Pick<ControlApi, 'listRules' | 'getRule' | 'createRule' | 'updateRule' | 'deleteRule'> {
  return {
    listRules: todo('ListRules'),
    getRule: todo('GetRule'),
    createRule: todo('CreateRule'),
    updateRule: todo('UpdateRule'),
    deleteRule: todo('DeleteRule'),
  };
}
