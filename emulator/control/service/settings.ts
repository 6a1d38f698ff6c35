// Project settings (projects/P/projectSettings) and the location list.
import { EmulatorError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { LOCATIONS } from '../../core/names.js';
import type { MetaStore } from '../../storage/meta-store.js';
import type { Json } from '../api.js';

const REDIRECTION_STATES = ['REDIRECTION_STATE_UNSPECIFIED', 'REDIRECTION_FROM_GCR_IO_DISABLED', 'REDIRECTION_FROM_GCR_IO_ENABLED',
  'REDIRECTION_FROM_GCR_IO_FINALIZED', 'REDIRECTION_FROM_GCR_IO_ENABLED_AND_COPYING', 'REDIRECTION_FROM_GCR_IO_PARTIAL_AND_COPYING'];

/**
 * What an emulator project answers before anything set it: ENABLED, so gcr.io hosts are served by Artifact Registry
 * offline, as for a project created after Container Registry's shutdown [U: the real default depends on the
 * project's history; docs/gcr.md].
 */
export const DEFAULT_REDIRECTION_STATE = 'REDIRECTION_FROM_GCR_IO_ENABLED';

/** The project's `legacyRedirectionState` as projectSettings answers it. */
export function legacyRedirectionStateOf(meta: MetaStore, project: string): string {
  const stored = meta.get(['projects', project])?.get<Json>('settings', 'self')?.legacyRedirectionState;
  return typeof stored === 'string' ? stored : DEFAULT_REDIRECTION_STATE;
}

export class SettingsService {
  constructor(
    private readonly meta: MetaStore,
    private readonly clock: Clock,
  ) {}

  getProjectSettings(project: string): Json {
    const stored = this.meta.get(['projects', project])?.get<Json>('settings', 'self') ?? {};
    return { name: `projects/${project}/projectSettings`, legacyRedirectionState: legacyRedirectionStateOf(this.meta, project), ...stored };
  }

  async updateProjectSettings(project: string, body: Json, mask: string[] | undefined): Promise<Json> {
    const paths = mask ?? Object.keys(body).filter((k) => k !== 'name');
    const shard = this.meta.ensure(['projects', project]);
    await shard.transact((tx) => {
      const next: Json = { ...(tx.get<Json>('settings', 'self') ?? {}) };
      for (const raw of paths) {
        const path = raw.replace(/_([a-z])/g, (_a, c: string) => c.toUpperCase());
        if (path === 'legacyRedirectionState') {
          const v = typeof body.legacyRedirectionState === 'number' ? REDIRECTION_STATES[body.legacyRedirectionState] : String(body.legacyRedirectionState ?? '').toUpperCase();
          if (!v || !REDIRECTION_STATES.includes(v)) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "project_settings.legacy_redirection_state".', { field: 'project_settings.legacy_redirection_state' });
          next.legacyRedirectionState = v;
        } else if (path === 'pullPercent') {
          const n = Number(body.pullPercent ?? 0);
          if (!Number.isInteger(n) || n < 0 || n > 100) throw new EmulatorError('INVALID_ARGUMENT', 'Invalid value for field "project_settings.pull_percent": 0 to 100.', { field: 'project_settings.pull_percent' });
          next.pullPercent = n;
        } else {
          throw new EmulatorError('INVALID_ARGUMENT', `Invalid update_mask: unknown field "${raw.slice(0, 60)}".`, { field: 'update_mask' });
        }
      }
      next.updateTime = this.clock.now().toISOString();
      tx.put('settings', 'self', next);
    });
    const { updateTime: _ignored, ...out } = this.getProjectSettings(project);
    return out;
  }

  listLocations(project: string): Json[] {
    return LOCATIONS.map((l) => this.location(project, l));
  }

  location(project: string, location: string): Json {
    if (!LOCATIONS.includes(location)) throw new EmulatorError('NOT_FOUND', 'Requested entity was not found.');
    return { name: `projects/${project}/locations/${location}`, locationId: location };
  }
}
