// The dashboard's hash routes, DOM-free (unit-tested without a browser): #/feed, #/repositories[/P/L/R],
// #/image/P/L/R/PACKAGE/DIGEST, #/iam[/P/L/R], #/settings. Hashes come from links anyone can write: a
// segment that is not valid percent-encoding routes to the not-found view instead of throwing a URIError.

export type Route =
  | { view: 'feed' }
  | { view: 'repositories' }
  | { view: 'repository'; repository: string }
  | { view: 'image'; repository: string; pkg: string; digest: string }
  | { view: 'iam'; repository?: string }
  | { view: 'settings' }
  | { view: 'not-found'; hash: string };

const repoName = (p: string, l: string, r: string) => `projects/${p}/locations/${l}/repositories/${r}`;

/** decodeURIComponent without the URIError: undefined when `s` is not valid percent-encoded UTF-8. */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const parts = raw.map(safeDecode);
  if (parts.some((p) => p === undefined)) return { view: 'not-found', hash };
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

/** The package id of a package resource name, unescaped (`a%2Fb` → `a/b`; left as is if it cannot be). */
export function packageId(name: string): string {
  const id = name.split('/packages/')[1]?.split('/')[0] ?? '';
  return safeDecode(id) ?? id;
}

export function imageHref(repository: string, pkg: string, digest: string): string {
  return `#/image/${[...repoParts(repository), pkg, digest].map(encodeURIComponent).join('/')}`;
}
