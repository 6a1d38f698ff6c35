// `print-settings docker`: how Docker reaches a DOCKER repository on the emulator (gcloud has no
// print-settings for Docker; `gcloud auth configure-docker` is its counterpart). Pure.
import { modeComment, resourceName, tokenCommand, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

/** The Container Registry hosts, each the name of its gcr.io-domain repository (spec §1.11, docs/gcr.md). */
const GCR_REPOSITORIES = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'];

function render(input: SettingsInput): SettingsSnippet {
  if (GCR_REPOSITORIES.includes(input.repository)) return renderGcr(input);
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

/**
 * A gcr.io-domain repository: clients name images `HOST:PORT/PROJECT/IMAGE` where HOST is the repository id, so the
 * name must reach the emulator: an /etc/hosts line on the machine, `--add-host` for a container. Docker treats a
 * registry whose name resolves to 127.0.0.0/8 as plain-http (insecure) without configuration.
 */
function renderGcr(input: SettingsInput): SettingsSnippet {
  const port = /:(\d+)$/.exec(input.host)?.[1];
  const registry = `${input.repository}${port ? `:${port}` : ''}`;
  const image = `${registry}/${input.project}/IMAGE:TAG`;
  const c = input.credential;
  const login =
    c?.kind === 'token'
      ? ['# Log in with the access token (valid for an hour):', `echo '${c.token}' | docker login -u oauth2accesstoken --password-stdin ${registry}`]
      : c?.kind === 'jsonKey'
        ? [`# Log in with the service-account key ${c.path}:`, `base64 -w0 '${c.path}' | docker login -u _json_key_base64 --password-stdin ${registry}`]
        : input.iamMode === 'enforce'
          ? [
              '# Either let Docker ask the emulator for credentials (configure-docker adds the gcr.io hosts too):',
              `ar-emulator configure-docker --endpoint ${input.host}`,
              '# or log in with an access token (valid for an hour):',
              `${tokenCommand(input)} | docker login -u oauth2accesstoken --password-stdin ${registry}`,
            ]
          : ['# No login needed.'];
  const text = [
    `# Docker images of the Container Registry repository ${resourceName(input)} on the Artifact Registry emulator`,
    `# are named ${registry}/${input.project}/IMAGE, as on gcr.io (no repository segment). ${input.repository} must reach the emulator:`,
    `# on this machine, add this line to /etc/hosts (once; as root):`,
    `#   127.0.0.1 ${GCR_REPOSITORIES.join(' ')}`,
    `# in a container, start it with: docker run --add-host ${input.repository}:host-gateway …`,
    '# (a name that resolves to 127.0.0.0/8 is a plain-http registry for Docker without configuration; through',
    `#  host-gateway add "insecure-registries": ["${registry}"] to the daemon's daemon.json)`,
    modeComment(input),
    '',
    ...login,
    '',
    `docker tag IMAGE ${image}`,
    `docker push ${image}`,
    `docker pull ${image}`,
    '',
  ].join('\n');
  return { tool: 'docker', text, notes: [`Pushing to a missing ${input.repository} repository creates it (create-on-push) when the caller holds artifactregistry.repositories.createOnPush.`] };
}

export const dockerSettings: SettingsRenderer = { tool: 'docker', format: 'DOCKER', render };
