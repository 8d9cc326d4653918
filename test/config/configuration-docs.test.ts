// The configuration reference is generated from the schema; this fails when someone changes the
// schema without regenerating it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigurationDoc } from '../../scripts/config-docs.ts';

test('docs/configuration.md matches the configuration schema (run `node scripts/config-docs.ts`)', () => {
  assert.equal(
    readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8'),
    renderConfigurationDoc(),
  );
});
