// `print-settings python`: the .pypirc (twine) and pip.conf lines for a PYTHON repository, laid out as
// gcloud's print_settings/python.py prints them, with the host swapped. Pure.
// .pypirc: https://packaging.python.org/en/latest/specifications/pypirc/ ; pip.conf:
// https://pip.pypa.io/en/stable/topics/configuration/
import { modeComment, OPEN_MODE_TOKEN, repositoryUrl, resourceName, tokenCommand, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const url = repositoryUrl(input);
  const simple = `${url}simple/`;
  const c = input.credential;
  // twine's username and password (no password: twine takes $TWINE_PASSWORD, or asks)
  let user: string | undefined;
  let password: string | undefined;
  const comments: string[] = [];
  const notes: string[] = [];
  if (c?.kind === 'token') {
    [user, password] = ['oauth2accesstoken', c.token];
    comments.push(`# The access token is valid for an hour; print a new snippet (or run \`${tokenCommand(input)}\`) when it expires.`);
  } else if (c?.kind === 'jsonKey') {
    [user, password] = ['_json_key_base64', c.keyBase64];
    comments.push(`# Service-account key ${c.path}, as gcloud's --json-key embeds it.`);
  } else if (input.iamMode === 'enforce') {
    user = 'oauth2accesstoken';
    comments.push(
      `# twine reads the password from $TWINE_PASSWORD: export TWINE_PASSWORD=$(${tokenCommand(input)})`,
      '# pip cannot read a token from the environment: print a snippet with one (--token or --key-file),',
      `# or set PIP_INDEX_URL=http://oauth2accesstoken:TOKEN@${simple.slice('http://'.length)}`,
    );
    notes.push(
      'twine reads the password from $TWINE_PASSWORD; pip needs the token in its index URL. Get one (it lasts an hour) with:',
      `  ${tokenCommand(input)} [--principal serviceAccount:EMAIL | --key-file KEY.json]`,
      'and print a snippet that carries it: ar-emulator print-settings python --token TOKEN (or --key-file KEY.json).',
    );
  } else {
    [user, password] = ['oauth2accesstoken', OPEN_MODE_TOKEN];
    comments.push('# twine will not upload without a password, so the snippet has one; any value works.');
  }
  // pip's URL: the credential when there is one; the user name alone in enforce mode (pip asks for the
  // password); nothing in open mode, where pip needs none. pip unquotes the userinfo, base64 may hold "/".
  const pipAuth = c ? `${user}:${encodeURIComponent(password ?? '')}@` : input.iamMode === 'enforce' ? `${user}@` : '';
  const text = [
    '# Insert the following snippet into your .pypirc',
    `# Repository ${resourceName(input)} on the Artifact Registry emulator.`,
    modeComment(input),
    ...comments,
    '',
    '[distutils]',
    'index-servers =',
    `    ${input.repository}`,
    '',
    `[${input.repository}]`,
    `repository: ${url}`,
    ...(user ? [`username: ${user}`] : []),
    ...(password ? [`password: ${password}`] : []),
    '',
    '# Insert the following snippet into your pip.conf',
    // gcloud prints extra-index-url; index-url keeps pip from taking a same-named package from any other
    // index (the dependency-confusion case), and the emulator has no upstream to fall back to.
    '# index-url, not gcloud\'s extra-index-url: pip then looks in this repository only.',
    '',
    '[global]',
    `index-url = http://${pipAuth}${simple.slice('http://'.length)}`,
    '',
  ].join('\n');
  return { tool: 'python', text, notes };
}

export const pythonSettings: SettingsRenderer = { tool: 'python', format: 'PYTHON', render };
