// `print-settings apt`: the sources.list line for an APT repository, laid out as gcloud's print_settings/apt.py
// prints it (`deb URL/projects/PROJECT REPO main`, spec ar-fidelity §2) with the host swapped and plain http in
// place of the `ar+https` transport (not packaged in Debian, clients REPORT §9). The emulator signs its indexes,
// so the line names the location's key with signed-by. Credentials go in auth.conf. docs/formats/apt.md.
import { modeComment, resourceName, tokenCommand, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const base = `http://${input.host}/projects/${input.project}`;
  const keyPath = `/etc/apt/keyrings/ar-emulator-${input.location}.gpg`;
  const c = input.credential;
  const notes: string[] = [];
  let auth: string[] = [];
  if (c?.kind === 'token') {
    auth = [`# /etc/apt/auth.conf.d/${input.repository}.conf (the access token is valid for an hour; print a new snippet or run \`${tokenCommand(input)}\`):`, `machine http://${input.host}/projects/${input.project} login oauth2accesstoken password ${c.token}`];
  } else if (c?.kind === 'jsonKey') {
    auth = [`# /etc/apt/auth.conf.d/${input.repository}.conf (service-account key ${c.path}):`, `machine http://${input.host}/projects/${input.project} login _json_key_base64 password ${c.keyBase64}`];
  } else if (input.iamMode === 'enforce') {
    notes.push(
      'apt reads credentials from auth.conf (the machine entry must start with http://). Get a token (it lasts an hour) with:',
      `  ${tokenCommand(input)} [--principal serviceAccount:EMAIL | --key-file KEY.json]`,
      'and print a snippet that carries it: ar-emulator print-settings apt --token TOKEN (or --key-file KEY.json).',
    );
  }
  const text = [
    `# Repository ${resourceName(input)} on the Artifact Registry emulator.`,
    modeComment(input),
    '# Fetch the location\'s signing key once:',
    `#   curl -fsS http://${input.host}/doc/repo-signing-key.gpg -o ${keyPath}`,
    `# Insert the following line into /etc/apt/sources.list.d/${input.repository}.list`,
    '# (gcloud prints ar+https://; the emulator speaks plain http and signs InRelease with the key above).',
    '',
    `deb [signed-by=${keyPath}] ${base} ${input.repository} main`,
    ...(auth.length ? ['', ...auth] : []),
    '',
  ].join('\n');
  return { tool: 'apt', text, notes };
}

export const aptSettings: SettingsRenderer = { tool: 'apt', format: 'APT', render };
