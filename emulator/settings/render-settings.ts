// THE list of `print-settings` tools and the one entry point the CLI and GET /_emulator/settings share,
// so both print the same bytes. Validates the inputs (they end up in config files) before rendering.
import { EmulatorError } from '../core/errors.js';
import { isKnownLocation, isValidProjectId, isValidRepositoryId } from '../core/names.js';
import { dockerSettings } from './docker-settings.js';
import { npmSettings } from './npm-settings.js';
import { pythonSettings } from './python-settings.js';
import { mavenSettings } from './maven-settings.js';
import { gradleSettings } from './gradle-settings.js';
import { yumSettings } from './yum-settings.js';
import { goSettings } from './go-settings.js';
import { aptSettings } from './apt-settings.js';
import type { SettingsInput, SettingsRenderer, SettingsSnippet } from './settings-snippet.js';

/** Adding a tool (mvn, gradle, go, apt, yum): its renderer file and one line here. */
export const SETTINGS_RENDERERS: readonly SettingsRenderer[] = [npmSettings, pythonSettings, dockerSettings, mavenSettings, gradleSettings, yumSettings, goSettings, aptSettings];

export function settingsRenderer(tool: string): SettingsRenderer {
  const r = SETTINGS_RENDERERS.find((x) => x.tool === tool);
  if (!r) throw new EmulatorError('INVALID_ARGUMENT', `Unknown print-settings tool "${tool.slice(0, 40)}": one of ${SETTINGS_RENDERERS.map((x) => x.tool).join(', ')}.`);
  return r;
}

/** The tool that configures a repository of this format (`NPM` → npm), if there is one yet. */
export function settingsToolForFormat(format: string): string | undefined {
  return SETTINGS_RENDERERS.find((x) => x.format === format.toUpperCase())?.tool;
}

export function renderSettings(tool: string, input: SettingsInput): SettingsSnippet {
  const renderer = settingsRenderer(tool);
  if (!isValidProjectId(input.project)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid project id "${input.project.slice(0, 80)}".`);
  if (!isKnownLocation(input.location)) throw new EmulatorError('INVALID_ARGUMENT', `Unknown location "${input.location.slice(0, 80)}".`);
  if (!isValidRepositoryId(input.repository)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid repository id "${input.repository.slice(0, 80)}".`);
  if (!/^[a-z0-9.[\]:-]+$/i.test(input.host)) throw new EmulatorError('INVALID_ARGUMENT', `Invalid host "${input.host.slice(0, 80)}".`);
  if (input.credential?.kind === 'token' && !/^[\x21-\x7e]+$/.test(input.credential.token)) throw new EmulatorError('INVALID_ARGUMENT', 'The token has characters a config file cannot hold.');
  if (input.scope !== undefined && tool !== 'npm') throw new EmulatorError('INVALID_ARGUMENT', '--scope applies to npm only.');
  return renderer.render(input);
}
