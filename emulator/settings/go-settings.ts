// `print-settings go`: the go command's environment for a GO repository (GOPROXY pointing at it, its modules kept
// out of the public checksum database, no toolchain downloads), and the credentials note: the go command never
// sends credentials over plain http (docs/formats/go.md), so the emulator's reads must be anonymous. Pure.
// https://go.dev/ref/mod#environment-variables
import { modeComment, resourceName, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const proxy = `http://${input.host}/${input.project}/${input.repository}`;
  const notes: string[] = [];
  const comments: string[] = [];
  if (input.credential || input.iamMode === 'enforce') {
    comments.push(
      '# The go command never sends credentials over plain http (not from ~/.netrc, not from the URL), so reads of',
      '# this repository must be anonymous: grant allUsers roles/artifactregistry.reader on it (docs/formats/go.md).',
    );
    notes.push(
      'go sends no credentials over http: the ~/.netrc line the real service uses (machine LOCATION-go.pkg.dev login oauth2accesstoken password TOKEN) is not read for this http URL.',
      `In enforce mode, bind allUsers to roles/artifactregistry.reader on ${resourceName(input)} for go to read it.`,
    );
  }
  notes.push(`Upload a module with: ar-emulator go upload --module-path MODULE --version vX.Y.Z --source DIR --repository ${input.repository} --project ${input.project} --location ${input.location} --endpoint ${input.host}`);
  const text = [
    '# Set the following environment variables (or run `go env -w NAME=VALUE` with them)',
    `# Repository ${resourceName(input)} on the Artifact Registry emulator.`,
    modeComment(input),
    ...comments,
    '# Append ",direct" (or another proxy) to GOPROXY for modules this repository does not hold.',
    '',
    `export GOPROXY=${proxy}`,
    '# the module path prefixes you upload here, comma-separated (they are not in the public checksum database);',
    '# or GOSUMDB=off to skip checksum verification altogether',
    'export GONOSUMDB=example.com/your-module-prefix',
    '# keep the go command from downloading another toolchain',
    'export GOTOOLCHAIN=local',
    '',
  ].join('\n');
  return { tool: 'go', text, notes };
}

export const goSettings: SettingsRenderer = { tool: 'go', format: 'GO', render };
