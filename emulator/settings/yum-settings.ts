// `print-settings yum`: the .repo file for a YUM repository, laid out as gcloud's print_settings/yum.py prints it
// (baseurl `…/projects/PROJECT/REPO`, spec ar-fidelity §2) with the host swapped. gcloud turns signature checks off
// (repo_gpgcheck=0); the emulator signs repomd.xml with its per-location key, so the snippet checks it instead
// (repo_gpgcheck=1, gpgkey=/doc/repo-signing-key.gpg, the same key at …/repodata/repomd.xml.key). docs/formats/yum.md.
import { modeComment, resourceName, tokenCommand, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const baseurl = `http://${input.host}/projects/${input.project}/${input.repository}`;
  const c = input.credential;
  const comments: string[] = [];
  const notes: string[] = [];
  let auth: string[] = [];
  if (c?.kind === 'token') {
    auth = ['username=oauth2accesstoken', `password=${c.token}`];
    comments.push(`# The access token is valid for an hour; print a new snippet (or run \`${tokenCommand(input)}\`) when it expires.`);
  } else if (c?.kind === 'jsonKey') {
    auth = ['username=_json_key_base64', `password=${c.keyBase64}`];
    comments.push(`# Service-account key ${c.path}, as gcloud's --json-key embeds it.`);
  } else if (input.iamMode === 'enforce') {
    comments.push('# dnf cannot read a token from the environment: print a snippet with one (--token or --key-file).');
    notes.push(
      'dnf sends the repository\'s username/password after a 401 challenge. Get a token (it lasts an hour) with:',
      `  ${tokenCommand(input)} [--principal serviceAccount:EMAIL | --key-file KEY.json]`,
      'and print a snippet that carries it: ar-emulator print-settings yum --token TOKEN (or --key-file KEY.json).',
    );
  }
  const text = [
    `# Insert the following snippet into /etc/yum.repos.d/${input.repository}.repo`,
    `# Repository ${resourceName(input)} on the Artifact Registry emulator.`,
    modeComment(input),
    ...comments,
    '# gcloud prints repo_gpgcheck=0; the emulator signs repomd.xml, so dnf can check it against the location\'s key.',
    '# The packages themselves are not signed (gpgcheck=0), as in gcloud\'s snippet.',
    '',
    `[${input.repository}]`,
    `name=${input.repository}`,
    `baseurl=${baseurl}`,
    'enabled=1',
    'repo_gpgcheck=1',
    'gpgcheck=0',
    `gpgkey=http://${input.host}/doc/repo-signing-key.gpg`,
    ...auth,
    '',
  ].join('\n');
  return { tool: 'yum', text, notes };
}

export const yumSettings: SettingsRenderer = { tool: 'yum', format: 'YUM', render };
