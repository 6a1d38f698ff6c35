// `print-settings gradle`: the build.gradle repositories and publishing blocks for a MAVEN repository, laid out as
// gcloud's print_settings/gradle.py prints them (the https variant with password credentials) with the host
// swapped; plain http on loopback needs `allowInsecureProtocol`. Pure. https://docs.gradle.org/current/userguide/publishing_maven.html
import { mavenCredentials } from './maven-settings.js';
import { modeComment, repositoryUrl, resourceName, type SettingsInput, type SettingsRenderer, type SettingsSnippet } from './settings-snippet.js';

function render(input: SettingsInput): SettingsSnippet {
  const url = repositoryUrl(input).replace(/\/$/, '');
  const cred = mavenCredentials(input);
  const password = cred.password.startsWith('${env.') ? `System.getenv('${cred.password.slice(6, -1)}')` : `'${cred.password}'`;
  const repo = (indent: string) => [
    `${indent}maven {`,
    `${indent}  url '${url}'`,
    `${indent}  allowInsecureProtocol = true`,
    `${indent}  credentials {`,
    `${indent}    username = '${cred.user}'`,
    `${indent}    password = ${password}`,
    `${indent}  }`,
    `${indent}}`,
  ];
  const text = [
    '// Insert the following snippet into your build.gradle',
    `// Repository ${resourceName(input)} on the Artifact Registry emulator.`,
    `// ${modeComment(input).replace(/^# /, '')}`,
    ...cred.comments.map((c) => `// ${c}`),
    '',
    "plugins { id 'maven-publish' }",
    '',
    'publishing {',
    '  repositories {',
    ...repo('    '),
    '  }',
    '}',
    '',
    'repositories {',
    ...repo('  '),
    '}',
    '',
  ].join('\n');
  return { tool: 'gradle', text, notes: cred.notes };
}

export const gradleSettings: SettingsRenderer = { tool: 'gradle', format: 'MAVEN', render };
