// The simple repository API (PEP 503 HTML, PEP 691 JSON by content negotiation): the project list and one
// project's files. A name that is not in PEP 503 normal form is redirected to it (301), as PyPI does.
import { decodePercent } from '../../../core/decode-percent.js';
import { EmulatorError } from '../../../core/errors.js';
import type { AppContext, Handler } from '../../../http/context.js';
import { normalizeName } from '../names.js';
import { indexHtml, indexJson, projectHtml, projectJson, SIMPLE_JSON, SIMPLE_TYPES } from '../wire.js';
import { refOf, type PythonDeps } from './deps.js';
import { readThroughPage } from './read-through.js';

/** The representation the client asked for (q-values honoured); 406 when it accepts none of the three. */
function negotiate(ctx: AppContext): (typeof SIMPLE_TYPES)[number] {
  const type = ctx.accepts(...SIMPLE_TYPES);
  if (!type) throw new EmulatorError('UNSUPPORTED_MEDIA_TYPE', `Not Acceptable: this index serves ${SIMPLE_TYPES.join(', ')}.`, { status: 406 });
  return type as (typeof SIMPLE_TYPES)[number];
}

function send(ctx: AppContext, type: string, body: string): void {
  ctx.set('Vary', 'Accept');
  ctx.set('Cache-Control', 'max-age=0, must-revalidate');
  ctx.type = type === SIMPLE_JSON ? type : `${type}; charset=utf-8`;
  ctx.body = body;
}

export function simpleHandlers(d: PythonDeps): Record<'getIndex' | 'getProject' | 'redirectToSlash', Handler> {
  return {
    async getIndex(ctx, params) {
      const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
      const type = negotiate(ctx);
      // a remote repository lists its cached projects; a virtual one every project its members hold (docs/remote.md)
      const projects = t.record.mode === 'VIRTUAL_REPOSITORY' ? d.virtual.projects(t) : d.packages.projects(t);
      send(ctx, type, type === SIMPLE_JSON
        ? JSON.stringify(indexJson(projects.map(([, p]) => ({ name: p.name }))))
        : indexHtml(projects.map(([normalized, p]) => ({ name: p.name, normalized }))));
    },

    async getProject(ctx, params) {
      const t = d.packages.target(refOf(params, ctx, d.defaultLocation));
      const asked = decodePercent(params.name ?? '', 'project name');
      const project = normalizeName(asked);
      if (project !== asked) {
        ctx.status = 301;
        ctx.redirect(`${ctx.path.slice(0, ctx.path.lastIndexOf('/', ctx.path.length - 2) + 1)}${encodeURIComponent(project)}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
        return;
      }
      const type = negotiate(ctx);
      const page = await readThroughPage(d, t, project);
      if (page.stale) ctx.set('Warning', '110 - "Response is Stale"');
      send(ctx, type, type === SIMPLE_JSON ? JSON.stringify(projectJson(page.name, page.files, page.versions)) : projectHtml(page.name, page.files));
    },

    /** `/simple` and `/simple/NAME` without their final slash: PyPI redirects to the slashed URL. */
    async redirectToSlash(ctx) {
      ctx.status = 301;
      ctx.redirect(`${ctx.path}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
    },
  };
}
