// The inventory of a repository whose format no module serves yet (MAVEN, GO, APT, YUM, GENERIC, …): nothing can
// have been stored in it, so its lists are empty and every named package, version, tag or file is NOT_FOUND.
import { EmulatorError } from '../core/errors.js';
import type { ArtifactInventory } from '../core/inventory.js';
import type { RepositoryFormat } from '../core/repository.js';

const notFound = () => new EmulatorError('NOT_FOUND', 'Requested entity was not found.');

export function emptyInventory(format: RepositoryFormat): ArtifactInventory {
  return {
    format,
    listPackages: () => [],
    getPackage: () => undefined,
    deletePackage: async () => {
      throw notFound();
    },
    listVersions: () => [],
    getVersion: () => undefined,
    deleteVersion: async () => {
      throw notFound();
    },
    listTags: () => [],
    getTag: () => undefined,
    setTag: async () => {
      throw notFound();
    },
    deleteTag: async () => {
      throw notFound();
    },
    listFiles: () => [],
    getFile: () => undefined,
    openFile: async () => {
      throw notFound();
    },
    sizeBytes: () => 0,
  };
}
