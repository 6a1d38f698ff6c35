// `ar-emulator config schema` prints the config file's JSON Schema; `ar-emulator config validate FILE` checks a
// file offline (syntax, schema, duplicates) and prints each problem as `file:line:column: message`.
import { readFile } from 'node:fs/promises';
import { CONFIG_SCHEMA, formatProblems, parseConfig } from './config/index.js';

export const CONFIG_USAGE = 'ar-emulator config schema | config validate FILE';
export const CONFIG_HELP = '  config       schema: the JSON Schema of the config file; validate FILE: its problems with their lines (docs/config.md)';

export async function configCommand(args: string[]): Promise<number> {
  const [sub, file] = args;
  if (sub === 'schema') {
    process.stdout.write(`${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);
    return 0;
  }
  if (sub === 'validate' && file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      process.stderr.write(`ar-emulator: ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
      return 2;
    }
    const r = parseConfig(text);
    if (r.ok) {
      process.stdout.write(`${file}: ok (${r.config.repositories.length} repositories, ${r.config.iamPolicies.length} IAM policies, ${r.config.serviceAccounts.length} service accounts)\n`);
      return 0;
    }
    process.stderr.write(`${formatProblems(file, r.problems).join('\n')}\n`);
    return 1;
  }
  process.stderr.write(`Usage: ${CONFIG_USAGE}\n`);
  return 2;
}
