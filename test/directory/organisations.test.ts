import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DirectoryError } from '../../src/directory/errors.ts';
import {
  findOrganisation,
  listOrganisations,
  upsertOrganisation,
} from '../../src/directory/organisations.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('directory organisations', (ctx) => {
  test('upsertOrganisation creates, renames and keeps or clears the GNC', async () => {
    assert.deepEqual(
      await upsertOrganisation(ctx.db, { code: ' b82005 ', name: 'Example Surgery', gnc: 'G1234567' }),
      {
        code: 'B82005',
        name: 'Example Surgery',
        gnc: 'G1234567',
      },
    );
    assert.deepEqual(await upsertOrganisation(ctx.db, { code: 'B82005', name: 'Renamed Surgery' }), {
      code: 'B82005',
      name: 'Renamed Surgery',
      gnc: 'G1234567',
    });
    assert.equal(
      (await upsertOrganisation(ctx.db, { code: 'B82005', name: 'Renamed Surgery', gnc: null })).gnc,
      null,
    );
    assert.deepEqual(await findOrganisation(ctx.db, 'b82005'), {
      code: 'B82005',
      name: 'Renamed Surgery',
      gnc: null,
    });
  });

  test('bad codes and names are refused', async () => {
    for (const input of [
      { code: 'AB', name: 'Too short' },
      { code: 'ABCDEFGHIJK', name: 'Too long' },
      { code: 'R-X', name: 'Punctuation' },
      { code: 'RYY', name: '  ' },
    ]) {
      await assert.rejects(upsertOrganisation(ctx.db, input), (error: unknown) => {
        assert.ok(error instanceof DirectoryError);
        assert.equal(error.code, 'invalid_input');
        return true;
      });
    }
    assert.equal(await findOrganisation(ctx.db, 'RYY'), undefined);
    assert.equal(await findOrganisation(ctx.db, 'no!'), undefined);
  });

  test('listOrganisations sorts by name and searches name or code', async () => {
    await upsertOrganisation(ctx.db, { code: 'RXX', name: 'Example Hospitals NHS Trust' });
    await upsertOrganisation(ctx.db, { code: 'X26', name: 'NHS England' });
    const names = (await listOrganisations(ctx.db)).map((o) => o.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(
      (await listOrganisations(ctx.db, { query: 'hospitals' })).map((o) => o.code),
      ['RXX'],
    );
    assert.deepEqual(
      (await listOrganisations(ctx.db, { query: 'x2' })).map((o) => o.code),
      ['X26'],
    );
    assert.equal((await listOrganisations(ctx.db, { limit: 1 })).length, 1);
  });
});
