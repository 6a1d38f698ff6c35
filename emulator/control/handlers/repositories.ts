// REST handlers for projects.locations.repositories (create, get, list, delete).
import type { Handler } from '../../http/context.js';
import { readJson } from '../../http/body.js';
import type { ListRepositoriesResponse } from '../dto.js';
import type { OperationStore } from '../operations.js';
import { pageSizeOf, type PageTokens } from '../page-token.js';
import type { RepositoryService } from '../repositories.js';
import { repositoryResource, wireOptions } from '../wire.js';

export interface ControlDeps {
  repositories: RepositoryService;
  operations: OperationStore;
  pageTokens: PageTokens;
  registryHost: () => string;
}

function queryParam(query: Record<string, string | string[] | undefined>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = query[n];
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v[0];
  }
  return undefined;
}

export function repositoryHandlers(d: ControlDeps): Record<'createRepository' | 'getRepository' | 'listRepositories' | 'deleteRepository', Handler> {
  return {
    createRepository: async (ctx, p) => {
      const body = await readJson(ctx, 1 << 20);
      const id = queryParam(ctx.query, 'repositoryId', 'repository_id') ?? '';
      const record = await d.repositories.create(p.project!, p.location!, id, body);
      const o = wireOptions(ctx, d.registryHost());
      ctx.body = d.operations.completed(p.project!, p.location!, 'Repository', { ...repositoryResource(record, o) });
    },

    getRepository: async (ctx, p) => {
      const record = d.repositories.get({ project: p.project!, location: p.location!, repository: p.repository! });
      ctx.body = repositoryResource(record, wireOptions(ctx, d.registryHost()));
    },

    listRepositories: async (ctx, p) => {
      const all = d.repositories.list(p.project!, p.location!);
      const size = pageSizeOf(queryParam(ctx.query, 'pageSize', 'page_size'));
      const scope = `repositories|${p.project}|${p.location}`;
      const token = queryParam(ctx.query, 'pageToken', 'page_token');
      const after = token ? d.pageTokens.decode(scope, token) : undefined;
      const rest = after === undefined ? all : all.filter((r) => r.repository > after);
      const page = rest.slice(0, size);
      const o = wireOptions(ctx, d.registryHost());
      const body: ListRepositoriesResponse = {};
      if (page.length) body.repositories = page.map((r) => repositoryResource(r, o));
      if (rest.length > size) body.nextPageToken = d.pageTokens.encode(scope, page[page.length - 1]!.repository);
      ctx.body = body;
    },

    deleteRepository: async (ctx, p) => {
      await d.repositories.delete({ project: p.project!, location: p.location!, repository: p.repository! });
      ctx.body = d.operations.completed(p.project!, p.location!, 'Empty', {});
    },
  };
}
