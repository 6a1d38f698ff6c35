// Typed fetch client for the emulator's control-plane REST API (same origin). Every call carries the page's
// per-process token: the host guard requires it of mutating requests with an Origin, and it marks the caller
// as the local dashboard.
import type {
  CleanupReport, ClockResponse, DockerImageResource, EmulatorInfo, LastCleanup, ListRepositoriesResponse, OciImageConfig, OciManifest, PackageResource,
  PolicyResource, RepositoryResource, SettingsSnippet, TagResource, VersionResource, UpstreamFault, OfflineState, VirtualWarningsResponse,
} from './types.js';
import type { ListOccurrencesResponse, Occurrence, ScanResponse } from './analysis-types.js';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_HEADER = 'X-Emulator-Token';

export class ControlClient {
  constructor(
    private readonly token: string,
    private readonly base = '',
  ) {}

  info(): Promise<EmulatorInfo> {
    return this.get('/_emulator/info');
  }

  async listRepositories(project: string, location: string): Promise<RepositoryResource[]> {
    const out: RepositoryResource[] = [];
    let pageToken = '';
    do {
      const q = new URLSearchParams({ pageSize: '1000', ...(pageToken ? { pageToken } : {}) });
      const page = await this.get<ListRepositoriesResponse>(`/v1/projects/${enc(project)}/locations/${enc(location)}/repositories?${q}`);
      out.push(...(page.repositories ?? []));
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    return out;
  }

  getRepository(name: string): Promise<RepositoryResource> {
    return this.get(`/v1/${name}`);
  }

  createRepository(project: string, location: string, repositoryId: string, body: { format: string; description?: string }): Promise<unknown> {
    const q = new URLSearchParams({ repositoryId });
    return this.send('POST', `/v1/projects/${enc(project)}/locations/${enc(location)}/repositories?${q}`, body);
  }

  async listPackages(repository: string): Promise<PackageResource[]> {
    return (await this.get<{ packages?: PackageResource[] }>(`/v1/${repository}/packages?pageSize=1000`)).packages ?? [];
  }

  async listVersions(pkg: string): Promise<VersionResource[]> {
    return (await this.get<{ versions?: VersionResource[] }>(`/v1/${pkg}/versions?pageSize=1000&view=FULL&orderBy=create_time%20desc`)).versions ?? [];
  }

  async listTags(pkg: string): Promise<TagResource[]> {
    return (await this.get<{ tags?: TagResource[] }>(`/v1/${pkg}/tags?pageSize=1000`)).tags ?? [];
  }

  async listDockerImages(repository: string): Promise<DockerImageResource[]> {
    return (await this.get<{ dockerImages?: DockerImageResource[] }>(`/v1/${repository}/dockerImages?pageSize=1000`)).dockerImages ?? [];
  }

  /** The client settings snippet for a repository, rendered by the emulator exactly as print-settings prints it. */
  settings(tool: string, q: { project: string; location: string; repository: string; iam: string; scope?: string }): Promise<SettingsSnippet> {
    const params = new URLSearchParams({ project: q.project, location: q.location, repository: q.repository, iam: q.iam, ...(q.scope ? { scope: q.scope } : {}) });
    return this.get(`/_emulator/settings/${enc(tool)}?${params}`);
  }

  getIamPolicy(repository: string): Promise<PolicyResource> {
    return this.get(`/v1/${repository}:getIamPolicy?options.requestedPolicyVersion=3`);
  }

  /** A manifest's bytes through files.download: location-independent, and not counted as a registry pull. */
  getManifest(repository: string, digest: string): Promise<OciManifest> {
    return this.get(`/v1/${repository}/files/${enc(digest)}:download?alt=media`);
  }

  getImageConfig(repository: string, digest: string): Promise<OciImageConfig> {
    return this.get(`/v1/${repository}/files/${enc(digest)}:download?alt=media`);
  }

  /** The emulator's virtual clock. */
  clock(): Promise<ClockResponse> {
    return this.get('/_emulator/clock');
  }

  /** The latest cleanup run of a repository since the emulator started (`{}` when none ran). */
  lastCleanup(repository: string): Promise<LastCleanup> {
    return this.get(`/_emulator/cleanup/last?${new URLSearchParams({ repository })}`);
  }

  /** A virtual repository's dependency-confusion warnings, from its config and its members' packages now. */
  async virtualWarnings(repository: string): Promise<VirtualWarningsResponse['warnings']> {
    return (await this.get<VirtualWarningsResponse>(`/_emulator/warnings?${new URLSearchParams({ repository })}`)).warnings ?? [];
  }

  /** Runs a repository's cleanup policies now; `dryRun` overrides its cleanupPolicyDryRun for this run. */
  runCleanup(repository: string, dryRun?: boolean): Promise<CleanupReport> {
    return this.send('POST', '/_emulator/cleanup:run', { repository, ...(dryRun === undefined ? {} : { dryRun }) }) as Promise<CleanupReport>;
  }

  /** The upstream faults in force (remote repositories). */
  async faults(): Promise<UpstreamFault[]> {
    return ((await this.get<{ faults?: UpstreamFault[] }>('/_emulator/faults')).faults ?? []);
  }

  /** Clears one repository's fault, or all of them. */
  async clearFaults(repository?: string): Promise<void> {
    await this.send('DELETE', `/_emulator/faults${repository ? `?${new URLSearchParams({ repository })}` : ''}`);
  }

  offline(): Promise<OfflineState> {
    return this.get('/_emulator/offline');
  }

  /** Offline on or off: all remote repositories, or one. */
  setOffline(offline: boolean, repository?: string): Promise<OfflineState> {
    return this.send('POST', '/_emulator/offline', { offline, ...(repository ? { repository } : {}) }) as Promise<OfflineState>;
  }

  /** Container Analysis occurrences of a project matching a filter (`resourceUrl = "https://…@sha256:…"`), every page. */
  async listOccurrences(project: string, filter: string): Promise<Occurrence[]> {
    const out: Occurrence[] = [];
    let pageToken = '';
    do {
      const q = new URLSearchParams({ filter, pageSize: '1000', ...(pageToken ? { pageToken } : {}) });
      const page = await this.get<ListOccurrencesResponse>(`/v1/projects/${enc(project)}/occurrences?${q}`);
      out.push(...(page.occurrences ?? []));
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    return out;
  }

  /** Scans an image now (`https://LOCATION-docker.pkg.dev/P/R/IMAGE@sha256:…`) and answers when it is done. */
  scanImage(resourceUri: string): Promise<ScanResponse> {
    return this.send('POST', '/_emulator/scans', { resourceUri }) as Promise<ScanResponse>;
  }

  private async get<T>(path: string): Promise<T> {
    return this.send('GET', path) as Promise<T>;
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', [TOKEN_HEADER]: this.token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const text = await res.text();
    if (!res.ok) throw new ControlError(res.status, errorMessage(text) ?? `${res.status} ${res.statusText}`);
    return text ? (JSON.parse(text) as unknown) : {};
  }
}

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return body.error?.message;
  } catch {
    return text.slice(0, 200) || undefined;
  }
}

const enc = encodeURIComponent;
