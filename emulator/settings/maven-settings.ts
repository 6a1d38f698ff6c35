// `print-settings mvn`: the pom.xml repository/distributionManagement block and the settings.xml server entry for a
// MAVEN repository, laid out as gcloud's print_settings/mvn.py prints them (the https variant, with a key or a
// token as the password) with the host swapped. Pure. settings.xml: https://maven.apache.org/settings.html
import { modeComment, OPEN_MODE_TOKEN, repositoryUrl, resourceName, tokenCommand, TOKEN_VARIABLE, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

/** The server id the pom's repositories and the settings.xml server share (gcloud's). */
export const MAVEN_SERVER_ID = 'artifact-registry';

/** The user name and password a Maven or Gradle snippet carries, with the comments that explain them. */
export function mavenCredentials(input: SettingsInput): { user: string; password: string; comments: string[]; notes: string[] } {
  const c = input.credential;
  if (c?.kind === 'token') return { user: 'oauth2accesstoken', password: c.token, comments: [`The access token is valid for an hour; print a new snippet (or run \`${tokenCommand(input)}\`) when it expires.`], notes: [] };
  if (c?.kind === 'jsonKey') return { user: '_json_key_base64', password: c.keyBase64, comments: [`Service-account key ${c.path}, as gcloud's --json-key embeds it.`], notes: [] };
  if (input.iamMode === 'enforce') {
    return {
      user: 'oauth2accesstoken',
      password: `\${env.${TOKEN_VARIABLE}}`,
      comments: [`The password is read from $${TOKEN_VARIABLE}: export ${TOKEN_VARIABLE}=$(${tokenCommand(input)})`],
      notes: [`Maven reads the token from $${TOKEN_VARIABLE}. Set it (tokens last an hour) with:`, `  export ${TOKEN_VARIABLE}=$(${tokenCommand(input)} [--principal serviceAccount:EMAIL | --key-file KEY.json])`],
    };
  }
  return { user: 'oauth2accesstoken', password: OPEN_MODE_TOKEN, comments: ['Open mode needs no credential; any password works.'], notes: [] };
}

function render(input: SettingsInput): SettingsSnippet {
  const url = repositoryUrl(input).replace(/\/$/, '');
  const cred = mavenCredentials(input);
  const id = MAVEN_SERVER_ID;
  const text = [
    '<!-- Insert the following snippet into your pom.xml -->',
    `<!-- Repository ${resourceName(input)} on the Artifact Registry emulator. -->`,
    `<!-- ${modeComment(input).replace(/^# /, '')} -->`,
    '',
    '<project>',
    '  <distributionManagement>',
    '    <snapshotRepository>',
    `      <id>${id}</id>`,
    `      <url>${url}</url>`,
    '    </snapshotRepository>',
    '    <repository>',
    `      <id>${id}</id>`,
    `      <url>${url}</url>`,
    '    </repository>',
    '  </distributionManagement>',
    '',
    '  <repositories>',
    '    <repository>',
    `      <id>${id}</id>`,
    `      <url>${url}</url>`,
    '      <releases>',
    '        <enabled>true</enabled>',
    '      </releases>',
    '      <snapshots>',
    '        <enabled>true</enabled>',
    '      </snapshots>',
    '    </repository>',
    '  </repositories>',
    '</project>',
    '',
    '<!-- Insert the following snippet into your settings.xml -->',
    ...cred.comments.map((c) => `<!-- ${c} -->`),
    '',
    '<settings>',
    '  <servers>',
    '    <server>',
    `      <id>${id}</id>`,
    `      <username>${cred.user}</username>`,
    `      <password>${cred.password}</password>`,
    '    </server>',
    '  </servers>',
    '</settings>',
    '',
  ].join('\n');
  return { tool: 'mvn', text, notes: cred.notes };
}

export const mavenSettings: SettingsRenderer = { tool: 'mvn', format: 'MAVEN', render };
