// VPC-SC config of a location (vpcsc_config.proto).
// Groundwork stub: answers UNIMPLEMENTED until its owner lands it.
import { EmulatorError } from '../core/errors.js';
import type { ControlApi } from './api.js';
import type { ControlServiceDeps } from './control-service.js';

const SERVICE = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
const todo = (rpc: string) => async (): Promise<never> => {
  throw new EmulatorError('UNSUPPORTED', `Method ${SERVICE}.${rpc} is not implemented by the emulator.`);
};

export function vpcscApi(_d: ControlServiceDeps): Pick<ControlApi, 'getVpcscConfig' | 'updateVpcscConfig'> {
  return {
    getVpcscConfig: todo('GetVPCSCConfig'),
    updateVpcscConfig: todo('UpdateVPCSCConfig'),
  };
}
