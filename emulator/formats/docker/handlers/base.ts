// GET /v2/ — the API version check.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
import type { Handler } from '../../../http/context.js';

export const checkVersion: Handler = async (ctx) => {
  ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
  ctx.type = 'application/json';
  ctx.body = {};
};
