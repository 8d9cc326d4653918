import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DirectoryError } from '../../src/directory/errors.ts';
import {
  createPerson,
  findPersonByEmail,
  findPersonById,
  listPeople,
  type PersonInput,
  updatePerson,
} from '../../src/directory/people.ts';
import type { Db } from '../../src/store/database.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

let counter = 0;
/** A person with names and email no other test in the suite uses. */
function somebody(overrides: Partial<PersonInput> = {}): PersonInput {
  counter += 1;
  return {
    givenName: `Given${counter}`,
    familyName: `Family${counter}`,
    email: `person${counter}@example.nhs.uk`,
    ...overrides,
  };
}

async function countPeople(db: Db): Promise<number> {
  const row = await db.selectFrom('people').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function isDirectoryError(code: DirectoryError['code'], field?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DirectoryError, `expected a DirectoryError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field !== undefined) assert.equal(error.field, field);
    assert.ok(error.message.length > 0);
    return true;
  };
}

describeEachDatabase('directory people', (ctx) => {
  test('createPerson stores a person and returns it', async () => {
    const person = await createPerson(ctx.db, {
      givenName: '  Ada ',
      familyName: 'Example',
      middleNames: 'Jane',
      title: 'Dr',
      email: ' Ada.Example@NHS.net ',
      professionalIds: { gmc_id: '7000001', nmc_id: 'NMC123' },
    });
    assert.match(person.id, /^[1-9]\d{11}$/);
    assert.equal(person.givenName, 'Ada');
    assert.equal(person.email, 'ada.example@nhs.net');
    assert.equal(person.idAssuranceLevel, 3);
    assert.equal(person.displayName, null);
    assert.equal(person.status, 'active');
    assert.deepEqual(person.professionalIds, { gmc_id: '7000001', nmc_id: 'NMC123' });
    assert.deepEqual(await findPersonById(ctx.db, person.id), person);
  });

  test('createPerson takes a given id, blanks optional fields and keeps a chosen assurance level', async () => {
    const person = await createPerson(
      ctx.db,
      somebody({ middleNames: '   ', title: '', idAssuranceLevel: 1 }),
      { id: '910000000001' },
    );
    assert.equal(person.id, '910000000001');
    assert.equal(person.middleNames, null);
    assert.equal(person.title, null);
    assert.equal(person.idAssuranceLevel, 1);
    await assert.rejects(
      createPerson(ctx.db, somebody(), { id: '910000000001' }),
      isDirectoryError('duplicate', 'id'),
    );
    await assert.rejects(
      createPerson(ctx.db, somebody(), { id: '12345' }),
      isDirectoryError('invalid_input', 'id'),
    );
  });

  test('an email already used, in any case, is refused', async () => {
    const first = await createPerson(ctx.db, somebody({ email: 'flo.nurse@example.nhs.uk' }));
    const before = await countPeople(ctx.db);
    await assert.rejects(
      createPerson(ctx.db, somebody({ email: 'FLO.Nurse@Example.NHS.uk' })),
      isDirectoryError('duplicate', 'email'),
    );
    assert.equal(await countPeople(ctx.db), before);
    assert.equal((await findPersonByEmail(ctx.db, 'Flo.Nurse@EXAMPLE.nhs.uk'))?.id, first.id);
  });

  test('bad input is refused and nothing is written', async () => {
    const before = await countPeople(ctx.db);
    await assert.rejects(
      createPerson(ctx.db, somebody({ email: 'not-an-email' })),
      isDirectoryError('invalid_input', 'email'),
    );
    await assert.rejects(
      createPerson(ctx.db, somebody({ givenName: '  ' })),
      isDirectoryError('invalid_input', 'givenName'),
    );
    await assert.rejects(
      createPerson(ctx.db, somebody({ idAssuranceLevel: 4 })),
      isDirectoryError('invalid_input', 'idAssuranceLevel'),
    );
    await assert.rejects(
      createPerson(ctx.db, somebody({ professionalIds: { gmc_id: '70-01' } })),
      isDirectoryError('invalid_input', 'professionalIds.gmc_id'),
    );
    await assert.rejects(
      createPerson(ctx.db, somebody({ professionalIds: { passport: '1' } as never })),
      isDirectoryError('invalid_input'),
    );
    await assert.rejects(createPerson(ctx.db, {} as PersonInput), isDirectoryError('invalid_input'));
    assert.equal(await countPeople(ctx.db), before);
  });

  test('finders return undefined for unknown people', async () => {
    assert.equal(await findPersonById(ctx.db, '999999999999'), undefined);
    assert.equal(await findPersonById(ctx.db, 'nope'), undefined);
    assert.equal(await findPersonByEmail(ctx.db, 'nobody@example.nhs.uk'), undefined);
  });

  test('listPeople searches names and email, case-insensitively, a page at a time', async () => {
    const ada = await createPerson(ctx.db, somebody({ givenName: 'Zenobia', familyName: 'Quartermaine' }));
    const bea = await createPerson(
      ctx.db,
      somebody({ givenName: 'Beatrix', familyName: 'Quartermaine', email: 'bq@zq-trust.nhs.uk' }),
    );
    const other = await createPerson(
      ctx.db,
      somebody({ givenName: 'Otto', familyName: 'Unrelated', displayName: 'Q Otto' }),
    );
    const ids = async (query: string) => (await listPeople(ctx.db, { query })).map((p) => p.id);

    assert.deepEqual(await ids('quarterMAINE'), [bea.id, ada.id]);
    assert.deepEqual(await ids('zenobia quarter'), [ada.id]);
    assert.deepEqual(await ids('ZQ-TRUST'), [bea.id]);
    assert.deepEqual(await ids('q otto'), [other.id]);
    assert.deepEqual(await ids(ada.id), [ada.id]);
    assert.deepEqual(await ids('%'), [], 'LIKE wildcards are matched literally');
    assert.deepEqual(await ids('Quarter_aine'), []);
    assert.deepEqual(
      (await listPeople(ctx.db, { query: 'quartermaine', limit: 1, offset: 1 })).map((p) => p.id),
      [ada.id],
    );
    const everyone = await listPeople(ctx.db, { limit: 1000 });
    assert.ok(everyone.length >= 3);
  });

  test('updatePerson changes, clears and keeps fields', async () => {
    const person = await createPerson(ctx.db, somebody({ middleNames: 'Mary', title: 'Ms' }));
    const updated = await updatePerson(ctx.db, person.id, {
      familyName: 'Newname',
      middleNames: null,
      email: `RENAMED-${person.email.toUpperCase()}`,
      professionalIds: { nmc_id: '12A3456B' },
      status: 'suspended',
    });
    assert.equal(updated.familyName, 'Newname');
    assert.equal(updated.givenName, person.givenName);
    assert.equal(updated.middleNames, null);
    assert.equal(updated.title, 'Ms');
    assert.equal(updated.email, `renamed-${person.email}`);
    assert.deepEqual(updated.professionalIds, { nmc_id: '12A3456B' });
    assert.equal(updated.status, 'suspended');
    assert.ok(updated.updatedAt >= person.updatedAt);
    assert.deepEqual(await findPersonById(ctx.db, person.id), updated);
  });

  test('updatePerson refuses a taken email, bad input and unknown people', async () => {
    const a = await createPerson(ctx.db, somebody());
    const b = await createPerson(ctx.db, somebody());
    await assert.rejects(
      updatePerson(ctx.db, b.id, { email: a.email.toUpperCase() }),
      isDirectoryError('duplicate', 'email'),
    );
    await assert.rejects(
      updatePerson(ctx.db, b.id, { email: 'nope' }),
      isDirectoryError('invalid_input', 'email'),
    );
    await assert.rejects(
      updatePerson(ctx.db, '999999999998', { title: 'Dr' }),
      isDirectoryError('not_found'),
    );
    assert.deepEqual(await findPersonById(ctx.db, b.id), b);
    // Keeping one's own email is not a clash.
    assert.equal((await updatePerson(ctx.db, b.id, { email: b.email })).email, b.email);
  });
});
