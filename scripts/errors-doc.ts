// Renders docs/ERRORS.md from the error catalog and the protocol renderers' tables.
// `node --import tsx scripts/errors-doc.ts > docs/ERRORS.md`; a meta-test keeps the file in sync.
import { ERRORS, type ErrorCode } from '../emulator/core/errors.js';
import { GOOGLE_HTTP_STATUS } from '../emulator/control/errors.js';
import { OCI_ERRORS } from '../emulator/formats/docker/errors.js';

export function renderErrorsDoc(): string {
  const lines = [
    '# Error catalog',
    '',
    'Generated from `emulator/core/errors.ts` by `scripts/errors-doc.ts`; do not edit by hand.',
    'Every failure inside the emulator is one `EmulatorError` with one of these codes; each protocol renders it',
    'in its own dialect (../shared/STYLE.md §C).',
    '',
    '| code | meaning | control plane (REST) | Docker/OCI registry |',
    '| --- | --- | --- | --- |',
  ];
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    const spec = ERRORS[code];
    const google = `${GOOGLE_HTTP_STATUS[spec.googleStatus]} \`${spec.googleStatus}\``;
    const oci = `${OCI_ERRORS[code].status} \`${OCI_ERRORS[code].code}\``;
    lines.push(`| \`${code}\` | ${spec.description} | ${google} | ${oci} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderErrorsDoc());
