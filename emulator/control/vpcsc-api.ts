// VPC-SC config of a location (vpcsc_config.proto): Get and Update; remote repositories honour DENY through
// the upstream conditions (content/vpcsc.ts, remote/faults.ts).
import { assertValidParent, clip, parseResourceName } from '../core/names.js';
import { EmulatorError } from '../core/errors.js';
import { vpcscPolicyOf } from '../content/vpcsc.js';
import type { ControlApi } from './api.js';
import type { ControlServiceDeps } from './control-service.js';
import { rejectUnknownFields } from './unknown-fields.js';

export function vpcscApi(d: ControlServiceDeps): Pick<ControlApi, 'getVpcscConfig' | 'updateVpcscConfig'> {
  const store = () => {
    if (!d.vpcsc) throw new EmulatorError('UNSUPPORTED', 'VPC-SC configs are not served by this emulator instance.');
    return d.vpcsc;
  };
  const shape = (project: string, location: string) => ({
    name: `projects/${project}/locations/${location}/vpcscConfig`,
    vpcscPolicy: store().policy(project, location),
  });
  return {
    async getVpcscConfig(req) {
      const n = parseResourceName(req.name, 'vpcscConfig');
      assertValidParent(n.project, n.location);
      return shape(n.project, n.location);
    },
    async updateVpcscConfig(req) {
      const body = req.vpcscConfig ?? {};
      const n = parseResourceName(String(body.name ?? ''), 'vpcscConfig', 'vpcsc_config.name');
      assertValidParent(n.project, n.location);
      rejectUnknownFields(body, ['name', 'vpcscPolicy'], 'vpcsc_config');
      const paths = req.updateMask?.length ? req.updateMask : ['vpcsc_policy'];
      const bad = paths.find((p) => p !== 'vpcsc_policy' && p !== 'vpcscPolicy');
      if (bad !== undefined) throw new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: "${clip(bad, 60)}" cannot be updated; only "vpcsc_policy" can.`, { field: 'update_mask' });
      await store().set(n.project, n.location, vpcscPolicyOf(body.vpcscPolicy));
      return shape(n.project, n.location);
    },
  };
}
