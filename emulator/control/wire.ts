// Records → control-plane JSON, honouring `$alt=json;enum-encoding=int` (numeric enums, as the Node
// client asks for them) and the proto3 JSON mapping (defaults omitted, int64 as strings).
import { REPOSITORY_FORMATS, REPOSITORY_MODES, type RepositoryRecord } from '../core/repository.js';
import { repositoryName } from '../core/names.js';
import type { AppContext } from '../http/context.js';
import type { RepositoryResource } from './dto.js';

export interface WireOptions {
  numericEnums: boolean;
  /** host:port clients reach the emulator's registry on, for registryUri */
  registryHost: string;
}

export function wireOptions(ctx: AppContext, registryHost: string): WireOptions {
  const alt = [ctx.query['$alt'], ctx.query.alt].flat().filter((v): v is string => typeof v === 'string').join(';');
  return { numericEnums: /enum-encoding=int/.test(alt), registryHost };
}

export function repositoryResource(r: RepositoryRecord, o: WireOptions): RepositoryResource {
  const out: RepositoryResource = {
    name: repositoryName(r),
    format: o.numericEnums ? REPOSITORY_FORMATS[r.format] : r.format,
    mode: o.numericEnums ? REPOSITORY_MODES[r.mode] : r.mode,
    createTime: r.createTime,
    updateTime: r.updateTime,
  };
  if (r.description) out.description = r.description;
  if (r.labels && Object.keys(r.labels).length) out.labels = r.labels;
  if (r.dockerConfig?.immutableTags) out.dockerConfig = { immutableTags: true };
  if (r.format === 'DOCKER') out.registryUri = `${o.registryHost}/${r.project}/${r.repository}`;
  return out;
}
