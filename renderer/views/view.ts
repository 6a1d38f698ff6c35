// What every view gets (the API client, the feed, the emulator's info, the current project/location); the
// hash routes live in routes.ts and are re-exported here for the views.
import type { ControlClient } from '../api/control-client.js';
import type { EmulatorInfo } from '../api/types.js';
import type { FeedStore } from '../state/feed-store.js';

export interface Scope {
  project: string;
  location: string;
}

export interface ViewContext {
  client: ControlClient;
  feed: FeedStore;
  info: EmulatorInfo;
  scope: Scope;
  setScope(scope: Scope): void;
}

export interface View {
  el: HTMLElement;
  dispose?(): void;
}

export { imageHref, packageId, parseRoute, repoParts, repositoryHref, safeDecode, type Route } from './routes.js';
