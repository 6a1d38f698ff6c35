// The dashboard at /ui (static files of renderer/, with the per-process token in the page) and the read-only
// GET /_emulator/info it shows in Settings. Owns no data: the dashboard reads the control plane over HTTP.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorError, ERRORS } from '../core/errors.js';
import type { AppContext, Handler } from '../http/context.js';
import type { FormatModule } from '../http/format-module.js';
import { Routes } from '../http/routes.js';
import { findStaticFile, readStaticFile } from './static-files.js';
import type { EmulatorInfo } from '../control/dto.js';

export interface UiModuleDeps {
  /** folders searched in order for /ui/ files: static assets, then the compiled renderer */
  roots: readonly string[];
  /** per-process token, written into the page for the host guard's Origin rule */
  token: string;
  info: () => EmulatorInfo;
}

export const TOKEN_PLACEHOLDER = '%EMULATOR_TOKEN%';

/**
 * Content-Security-Policy of every /ui response: own scripts and styles only, fetches to this origin only,
 * no framing (clickjacking), no plugins, no base or form redirection.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function createUiModule(deps: UiModuleDeps): FormatModule {
  const redirect: Handler = async (ctx) => {
    ctx.status = 308;
    ctx.redirect('/ui/');
  };

  const page: Handler = async (ctx) => {
    const file = await findStaticFile(deps.roots, 'index.html');
    if (!file) throw new EmulatorError('NOT_FOUND', 'The dashboard is not built: run `npm run build` (tsc -b renderer).');
    const html = (await readStaticFile(file)).toString('utf8').replaceAll(TOKEN_PLACEHOLDER, deps.token);
    ctx.set(SECURITY_HEADERS);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = file.contentType;
    ctx.body = html;
  };

  const asset: Handler = async (ctx, params) => {
    const file = await findStaticFile(deps.roots, params.file ?? '');
    if (!file || file.path.endsWith('index.html')) throw new EmulatorError('NOT_FOUND', 'no such dashboard file');
    ctx.set(SECURITY_HEADERS);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = file.contentType;
    ctx.body = await readStaticFile(file);
  };

  const info: Handler = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.info();
  };

  const routes = new Routes([
    { name: 'ui.page.redirect', method: 'GET', path: '/ui', handler: redirect },
    { name: 'ui.page.get', method: 'GET', path: '/ui/', handler: page },
    { name: 'ui.asset.get', method: 'GET', path: '/ui/*file', handler: asset },
    { name: 'ui.info.get', method: 'GET', path: '/_emulator/info', handler: info },
  ]);
  return { id: 'ui', prefixes: ['/ui/', '/_emulator/info'], routes, renderError: renderPlainError };
}

/** Plain-text errors: the dashboard's files are fetched by the browser, not parsed as an API. */
function renderPlainError(err: EmulatorError, ctx: AppContext): void {
  const status = ERRORS[err.code].httpStatus;
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = status >= 500 ? ERRORS.INTERNAL.message : err.message;
}

/**
 * The dashboard's folders next to this module: `renderer/public` (HTML, CSS, icons) and `dist/renderer`
 * (the compiled ES modules), from the sources (emulator/ui) or from the build (dist/emulator/ui).
 */
export function locateUiRoots(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const root = join(here, up);
    if (existsSync(join(root, 'renderer', 'public', 'index.html'))) return [join(root, 'renderer', 'public'), join(root, 'dist', 'renderer')];
  }
  return [];
}
