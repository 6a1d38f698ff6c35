// Settings: where the emulator listens, its data folder and IAM mode, the environment exports to copy, and
// (inside the desktop app only) the shell's notification and login settings over IPC.
import type { ShellSettings } from '../../main/ipc/contract.js';
import { shell } from '../api/shell.js';
import { copyButton, facts, h, panel, relativeTime } from '../components/dom.js';
import type { View, ViewContext } from './view.js';

export function settingsView(ctx: ViewContext): View {
  const i = ctx.info;
  const host = `localhost:${i.port}`;
  const exports = [`export ARTIFACT_REGISTRY_EMULATOR_HOST=${host}`, ...(i.grpcPort ? [`export ARTIFACT_REGISTRY_EMULATOR_GRPC_HOST=localhost:${i.grpcPort}`] : [])].join('\n');
  const el = h(
    'div',
    { class: 'view', 'data-testid': 'settings' },
    panel(
      'Emulator',
      facts([
        ['Endpoint', h('span', { class: 'with-action' }, h('code', {}, i.url), copyButton(host))],
        ['Port', String(i.port)],
        ['gRPC port', i.grpcPort ? String(i.grpcPort) : 'off'],
        ['Data folder', h('code', {}, i.dataDir)],
        ['Default project', i.defaultProject],
        ['Default location', i.defaultLocation],
        ['IAM mode', h('span', { class: 'pill' }, i.iamMode)],
        ['Version', i.version],
        ['Started', relativeTime(i.startedAt)],
      ]),
    ),
    panel('Environment', h('pre', { class: 'raw' }, exports), [copyButton(exports, 'Copy exports')]),
  );
  const api = shell();
  if (api) {
    const box = h('div', { class: 'toggles' });
    el.append(panel('Desktop app', box));
    void api.invoke('emu:settings.get').then((s) => renderToggles(box, s));
  }
  return { el };
}

const LABELS: Record<keyof ShellSettings, string> = {
  notifyViolations: 'Notify on policy violations',
  notifyFailedPushes: 'Notify on failed pushes',
  notifyPushes: 'Notify on every push',
  openAtLogin: 'Start at login',
};

function renderToggles(box: HTMLElement, settings: ShellSettings): void {
  box.replaceChildren(
    ...(Object.keys(LABELS) as Array<keyof ShellSettings>).map((key) => {
      const input = h('input', { type: 'checkbox', checked: settings[key] });
      input.addEventListener('change', () => {
        void shell()?.invoke('emu:settings.update', { [key]: input.checked });
      });
      return h('label', { class: 'toggle' }, input, LABELS[key]);
    }),
  );
}
