// The "Client settings" panel of a repository: the snippet `ar-emulator print-settings TOOL` prints for it
// (rendered by the emulator, GET /_emulator/settings, so the bytes are the same), with a copy button and,
// for npm, an optional scope. No credential is ever shown: under enforce the snippet names placeholders.
import type { ControlError } from '../api/control-client.js';
import type { RepositoryResource, SettingsSnippet } from '../api/types.js';
import { copyButton, emptyState, errorState, h, panel, replaceChildren } from '../components/dom.js';
import { enumName } from './repositories-view.js';
import { repoParts, type ViewContext } from './view.js';

/** The print-settings tool of a format: its lower-case id (NPM → npm; MAVEN → mvn); the emulator says when there is none. */
export function settingsTool(format: RepositoryResource['format']): string {
  const id = String(enumName(format)).toLowerCase();
  return id === 'maven' ? 'mvn' : id;
}

export function clientSettingsPanel(ctx: ViewContext, repo: RepositoryResource): HTMLElement {
  const tool = settingsTool(repo.format);
  const [project, location, repository] = repoParts(repo.name);
  const body = h('div', { class: 'client-settings', 'data-testid': 'client-settings', 'data-tool': tool }, emptyState('Loading…'));
  const scope = h('input', { type: 'text', placeholder: '@scope (optional)', 'aria-label': 'npm scope', 'data-testid': 'settings-scope', size: 18 });
  const load = async () => {
    try {
      const snippet = await ctx.client.settings(tool, { project, location, repository, iam: ctx.info.iamMode, scope: scope.value.trim() || undefined });
      const command = ['ar-emulator print-settings', tool, '--repository', repository, '--project', project, '--location', location, ...(scope.value.trim() ? ['--scope', scope.value.trim()] : [])].join(' ');
      replaceChildren(body, ...snippetView(snippet, command));
    } catch (err) {
      const status = (err as Partial<ControlError>).status;
      replaceChildren(body, status === 400 && /Unknown print-settings tool/.test(String((err as Error).message)) ? emptyState(`No client settings for ${enumName(repo.format)} repositories yet.`) : errorState(err));
    }
  };
  scope.addEventListener('change', () => void load());
  void load();
  return panel('Client settings', body, tool === 'npm' ? [scope] : []);
}

function snippetView(s: SettingsSnippet, command: string): HTMLElement[] {
  const pre = h('pre', { class: 'raw snippet', 'data-testid': 'settings-snippet' }, s.text);
  return [
    h('div', { class: 'snippet-head' }, h('span', { class: 'muted' }, h('code', {}, command), ' prints the same'), copyButton(s.text, 'Copy', pre)),
    pre,
    ...(s.notes.length ? [h('p', { class: 'muted snippet-notes', 'data-testid': 'settings-notes' }, s.notes.join('\n'))] : []),
  ];
}
