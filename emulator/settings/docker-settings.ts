// `print-settings docker`: how Docker reaches a DOCKER repository on the emulator (gcloud has no
// print-settings for Docker; `gcloud auth configure-docker` is its counterpart). Pure.
import { modeComment, resourceName, tokenCommand, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const image = `${input.host}/${input.project}/${input.repository}/IMAGE:TAG`;
  const c = input.credential;
  const login =
    c?.kind === 'token'
      ? ['# Log in with the access token (valid for an hour):', `echo '${c.token}' | docker login -u oauth2accesstoken --password-stdin ${input.host}`]
      : c?.kind === 'jsonKey'
        ? [`# Log in with the service-account key ${c.path}:`, `base64 -w0 '${c.path}' | docker login -u _json_key_base64 --password-stdin ${input.host}`]
        : input.iamMode === 'enforce'
          ? [
              '# Either let Docker ask the emulator for credentials (the docker-credential-ar-emulator helper):',
              `ar-emulator configure-docker --endpoint ${input.host}`,
              '# or log in with an access token (valid for an hour):',
              `${tokenCommand(input)} | docker login -u oauth2accesstoken --password-stdin ${input.host}`,
            ]
          : ['# No login needed.'];
  const text = [
    `# Docker images of repository ${resourceName(input)} on the Artifact Registry emulator`,
    `# are named ${input.host}/${input.project}/${input.repository}/IMAGE (Docker allows plain http on localhost).`,
    modeComment(input),
    '',
    ...login,
    '',
    `docker tag IMAGE ${image}`,
    `docker push ${image}`,
    `docker pull ${image}`,
    '',
  ].join('\n');
  return { tool: 'docker', text, notes: [] };
}

export const dockerSettings: SettingsRenderer = { tool: 'docker', format: 'DOCKER', render };
