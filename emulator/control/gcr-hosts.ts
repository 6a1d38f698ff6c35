// Container Registry hosts (gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io) as the Docker format needs them: whether a
// project's `legacyRedirectionState` lets Artifact Registry serve them, and create-on-push of the gcr.io-domain
// repository through the control plane's own createRepository (so `repository.created` and validation are the usual).
// Spec ar-fidelity §1.11, §5.1; docs/gcr.md. No IAM here: the Docker handler checks `docker.createOnPush` first.
import { EmulatorError, isEmulatorError } from '../core/errors.js';
import type { RepositoryRef } from '../core/names.js';
import type { MetaStore } from '../storage/meta-store.js';
import type { Json } from './api.js';
import type { OperationResource } from './dto.js';
import { legacyRedirectionStateOf } from './service/settings.js';

export interface GcrHostsDeps {
  meta: MetaStore;
  createRepository(req: { parent: string; repositoryId: string; repository: Json }): Promise<OperationResource>;
}

export function createGcrHosts(d: GcrHostsDeps): { assertServed(project: string, host: string): void; createOnPush(ref: RepositoryRef): Promise<void> } {
  return {
    assertServed(project, host) {
      if (legacyRedirectionStateOf(d.meta, project) !== 'REDIRECTION_FROM_GCR_IO_DISABLED') return;
      // [U] the real answer is Container Registry's own (which has shut down); the registry's DENIED says why
      throw new EmulatorError(
        'PERMISSION_DENIED',
        `Requests to ${host} for project "${project.slice(0, 63)}" are not served by Artifact Registry: its projectSettings.legacyRedirectionState is ` +
          'REDIRECTION_FROM_GCR_IO_DISABLED. Set it to REDIRECTION_FROM_GCR_IO_ENABLED (gcloud artifacts settings enable-upgrade-redirection) to serve them.',
      );
    },
    async createOnPush(ref) {
      try {
        await d.createRepository({ parent: `projects/${ref.project}/locations/${ref.location}`, repositoryId: ref.repository, repository: { format: 'DOCKER', mode: 'STANDARD_REPOSITORY' } });
      } catch (err) {
        if (!isEmulatorError(err) || err.code !== 'ALREADY_EXISTS') throw err; // a concurrent first push created it
      }
    },
  };
}
