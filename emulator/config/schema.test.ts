// The published JSON Schema (resources/ar-emulator.schema.json, for editors and CI linters) is the schema the
// emulator validates with. Regenerate it with: npx tsx emulator/cli.ts config schema > resources/ar-emulator.schema.json
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from './schema.js';

describe('the published config schema', () => {
  it('is CONFIG_SCHEMA', () => {
    const published = JSON.parse(readFileSync(new URL('../../resources/ar-emulator.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  });
});
