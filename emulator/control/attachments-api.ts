// Attachments (attachment.proto).
// Groundwork stub: answers UNIMPLEMENTED until its owner lands it.
import { EmulatorError } from '../core/errors.js';
import type { ControlApi } from './api.js';
import type { ControlServiceDeps } from './control-service.js';

const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
const todo = (rpc: string) => async (): Promise<never> => {
  throw new EmulatorError('UNSUPPORTED', `Method ${SERVICE}.${rpc} is not implemented by the emulator.`);
};

export function attachmentsApi(_d: ControlServiceDeps): Pick<ControlApi, 'listAttachments' | 'getAttachment' | 'createAttachment' | 'deleteAttachment'> {
  return {
    listAttachments: todo('ListAttachments'),
    getAttachment: todo('GetAttachment'),
    createAttachment: todo('CreateAttachment'),
    deleteAttachment: todo('DeleteAttachment'),
  };
}
