// `print-settings npm`: the .npmrc lines for an NPM repository, laid out as gcloud's print_settings/npm.py
// prints them, with the host swapped (registry=http://localhost:PORT/PROJECT/REPO/). Pure.
// npm config keys: npm's own documentation, "npmrc" (v11) (auth keys are scoped by the
// registry URL without its scheme, the "nerf dart": //HOST/PATH/:_authToken).
import { EmulatorError } from '../core/errors.js';
import { modeComment, OPEN_MODE_TOKEN, repositoryUrl, resourceName, tokenCommand, TOKEN_VARIABLE, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

/** npm's scope rule (and gcloud's message for a bad `--scope`). */
export function assertValidScope(scope: string): void {
  if (!/^@[a-z0-9][a-z0-9._~-]*$/.test(scope)) {
    throw new EmulatorError('INVALID_ARGUMENT', `Scope name must start with "@" and be longer than 1 character (lowercase letters, digits, "-", ".", "_", "~"): "${scope.slice(0, 60)}".`);
  }
}

function render(input: SettingsInput): SettingsSnippet {
  if (input.scope !== undefined) assertValidScope(input.scope);
  const url = repositoryUrl(input);
  const nerf = url.replace(/^http:/, '');
  const registry = `${input.scope ? `${input.scope}:` : ''}registry=${url}`;
  // gcloud also prints //HOST/PATH/:always-auth=true; npm 11 ignores it with a warning (REPORT.md §5), and
  // sends the credential of the longest matching prefix on every request anyway.
  const project = ['# Insert the following snippet into your project .npmrc', `# Repository ${resourceName(input)} on the Artifact Registry emulator.`, modeComment(input)];
  const c = input.credential;
  if (c?.kind === 'token' || c?.kind === 'jsonKey') {
    const user =
      c.kind === 'token'
        ? [`# The access token is valid for an hour; print a new snippet (or run \`${tokenCommand(input)}\`) when it expires.`, '', `${nerf}:_authToken=${c.token}`]
        : [`# Service-account key ${c.path}, as gcloud's --json-key embeds it.`, '', `${nerf}:_password="${Buffer.from(c.keyBase64).toString('base64')}"`, `${nerf}:username=_json_key_base64`, `${nerf}:email=not.valid@email.com`];
    return {
      tool: 'npm',
      text: [...project, '', registry, '', '# Insert the following snippet into your user .npmrc (it holds a credential: keep it out of version control)', ...user, ''].join('\n'),
      notes: [],
    };
  }
  if (input.iamMode === 'enforce') {
    return {
      tool: 'npm',
      text: [...project, `# npm reads the token from $${TOKEN_VARIABLE}: export ${TOKEN_VARIABLE}=$(${tokenCommand(input)})`, '', registry, `${nerf}:_authToken=\${${TOKEN_VARIABLE}}`, ''].join('\n'),
      notes: [`npm reads the token from $${TOKEN_VARIABLE}. Set it (tokens last an hour) with:`, `  export ${TOKEN_VARIABLE}=$(${tokenCommand(input)} [--principal serviceAccount:EMAIL | --key-file KEY.json])`],
    };
  }
  return {
    tool: 'npm',
    text: [...project, '# npm will not publish without a token, so the snippet has one; any value works.', '', registry, `${nerf}:_authToken=${OPEN_MODE_TOKEN}`, ''].join('\n'),
    notes: [],
  };
}

export const npmSettings: SettingsRenderer = { tool: 'npm', format: 'NPM', render };
