// What every view gets (the API client, the feed, the emulator's info, the current project/location) and
// the hash routes: #/feed, #/repositories[/P/L/R], #/image/P/L/R/PACKAGE/DIGEST, #/iam[/P/L/R], #/settings.
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

export type Route =
  | { view: 'feed' }
  | { view: 'repositories' }
  | { view: 'repository'; repository: string }
  | { view: 'image'; repository: string; pkg: string; digest: string }
  | { view: 'iam'; repository?: string }
  | { view: 'settings' };

const repoName = (p: string, l: string, r: string) => `projects/${p}/locations/${l}/repositories/${r}`;

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, p, l, r, pkg, digest] = parts;
  if (head === 'repositories' && p && l && r) return { view: 'repository', repository: repoName(p, l, r) };
  if (head === 'repositories') return { view: 'repositories' };
  if (head === 'image' && p && l && r && pkg && digest) return { view: 'image', repository: repoName(p, l, r), pkg, digest };
  if (head === 'iam') return p && l && r ? { view: 'iam', repository: repoName(p, l, r) } : { view: 'iam' };
  if (head === 'settings') return { view: 'settings' };
  return { view: 'feed' };
}

/** `projects/p/locations/l/repositories/r` → ['p', 'l', 'r'] */
export function repoParts(name: string): [string, string, string] {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)/.exec(name);
  return m ? [m[1]!, m[2]!, m[3]!] : ['', '', ''];
}

export function repositoryHref(name: string, area: 'repositories' | 'iam' = 'repositories'): string {
  return `#/${area}/${repoParts(name).map(encodeURIComponent).join('/')}`;
}

/** The package id of a package resource name, unescaped (`a%2Fb` → `a/b`). */
export function packageId(name: string): string {
  return decodeURIComponent(name.split('/packages/')[1]?.split('/')[0] ?? '');
}

export function imageHref(repository: string, pkg: string, digest: string): string {
  return `#/image/${[...repoParts(repository), pkg, digest].map(encodeURIComponent).join('/')}`;
}
