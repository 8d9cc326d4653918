// Issue 4 §7: the administration API — client credentials with private_key_jwt at Care Identity's
// own token endpoint (a real openid-client), each client acting for an RA staff member with their
// powers; bulk registration; an OpenAPI 3.1 document from the same schemas; bad input in every call
// answered 400/401/403/404/409 with nothing written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { operations } from '../../src/admin-api/operations.ts';
import { loadPersonClaims, type NrbacRoleClaim } from '../../src/directory/claims.ts';
import type { Actor } from '../../src/ra/action.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  addAuthenticator,
  createOrganisation,
  createRaStaff,
  newPersonInput,
  threeDocuments,
} from '../ra/support.ts';
import { type AdminClient, apiCall, createAdminClient } from './support.ts';

describeEachDatabase('Administration API', (ctx) => {
  let server: TestServer;
  let orgCode: string;
  let manager: Actor;
  let api: AdminClient;

  before(async () => {
    server = await startTestServer({ db: ctx.db, kind: ctx.kind });
  });
  after(async () => {
    await server?.close();
  });

  test('setup: an RA Manager and a client acting for them', async () => {
    orgCode = await createOrganisation(ctx.db);
    manager = await createRaStaff(ctx.db, 'ra-manager', orgCode);
    api = await createAdminClient(server, { actor: manager.personId });
  });

  const counts = async () => {
    const tables = [
      'people',
      'positions',
      'role_assignments',
      'identity_verifications',
      'position_requests',
      'enrolment_tokens',
      'person_photos',
    ] as const;
    const out: Record<string, number> = {};
    for (const table of tables) {
      out[table] = Number(
        (
          await ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    }
    const statuses = await ctx.db
      .selectFrom('authenticators')
      .select(['id', 'status', 'failed_attempts'])
      .orderBy('id')
      .execute();
    return { ...out, authenticators: JSON.stringify(statuses) };
  };

  test('issue 4 §7: the OpenAPI 3.1 document is served and describes every operation from the zod schemas', async () => {
    const response = await apiCall(server, undefined, 'GET', '/openapi.json');
    assert.equal(response.status, 200);
    const doc = response.body;
    assert.equal(doc.openapi, '3.1.0');
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      (p) => Object.values(p).map((o) => o.operationId),
    );
    assert.deepEqual(ids.sort(), operations.map((o) => o.id).sort());
    const register = doc.paths['/people'].post.requestBody.content['application/json'].schema;
    assert.ok(register.required.includes('dateOfBirth'));
    assert.equal(register.additionalProperties, false);
    const verify =
      doc.paths['/people/{personId}/identity-verifications'].post.requestBody.content['application/json']
        .schema;
    assert.equal(verify.properties.personId, undefined, 'path parameters are not body fields');
    assert.equal(verify.properties.documents.minItems, 3);
    assert.match(
      doc.components.securitySchemes.clientCredentials.flows.clientCredentials.tokenUrl,
      /\/access_token$/,
    );
  });

  test('issue 4 §7: bulk registration: register, verify, assign a position and issue a link for several people', async () => {
    const position = await api.call('POST', '/positions', {
      orgCode,
      name: 'Bank nurse',
      jobRoleCode: 'R8001',
      activityCodes: ['B0360'],
      approval: { approvedBy: 'Chief Nurse', approvedOn: '2025-01-02' },
    });
    assert.equal(position.status, 201, JSON.stringify(position.body));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const registered = await api.call('POST', '/people', newPersonInput(orgCode));
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      assert.equal(registered.body.identityStatus, 'unverified');
      const id = registered.body.id as string;
      ids.push(id);
      const verified = await api.call('POST', `/people/${id}/identity-verifications`, {
        documents: threeDocuments,
        checkedOn: '2025-02-01',
      });
      assert.equal(verified.status, 201, JSON.stringify(verified.body));
      assert.equal(verified.body.idAssuranceLevel, 3);
      const assigned = await api.call('POST', `/people/${id}/positions`, {
        positionId: position.body.id,
        startDate: '2025-01-01',
      });
      assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
      const link = await api.call('POST', `/people/${id}/registration-links`, { kind: 'password-totp' });
      assert.equal(link.status, 201);
      assert.equal(link.headers.get('cache-control'), 'no-store');
      assert.ok(link.body.url.startsWith(`${server.url}/enrol/`));
    }
    const claims = await loadPersonClaims(ctx.db, ids[0]!, '2025-06-01');
    assert.deepEqual(
      (claims!['nhsid_nrbac_roles'] as NrbacRoleClaim[]).map((r) => r.role_code),
      ['S8000:G8000:R8001'],
    );
    const audit = await api.call('GET', `/audit-events?type=ra_person_registered&limit=10`);
    assert.equal(audit.status, 200);
    assert.deepEqual(new Set(audit.body.events.map((e: { subject: string }) => e.subject)), new Set(ids));
    assert.ok(
      audit.body.events.every((e: { detail: { via: string } }) => e.detail.via === `api:${api.clientId}`),
    );
  });

  test('issue 4 §7: photos, authenticators and audit through the API', async () => {
    const person = (await api.call('POST', '/people', newPersonInput(orgCode))).body;
    await api.call('POST', `/people/${person.id}/identity-verifications`, {
      documents: threeDocuments,
      checkedOn: '2025-02-01',
    });
    const photo = await api.call(
      'PUT',
      `/people/${person.id}/photo`,
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2]),
      {
        'content-type': 'image/jpeg',
      },
    );
    assert.equal(photo.status, 200, JSON.stringify(photo.body));
    const authenticatorId = await addAuthenticator(ctx.db, person.id, { failedAttempts: 100 });
    const listed = await api.call('GET', `/people/${person.id}/authenticators`);
    assert.deepEqual(
      listed.body.authenticators.map((a: { id: string; locked: boolean }) => [a.id, a.locked]),
      [[authenticatorId, true]],
    );
    for (const [verb, status] of [
      ['unlock', 'active'],
      ['suspend', 'suspended'],
      ['reinstate', 'active'],
      ['revoke', 'revoked'],
    ]) {
      const changed = await api.call(
        'POST',
        `/people/${person.id}/authenticators/${authenticatorId}/${verb}`,
        {},
      );
      assert.equal(changed.status, 200, `${verb}: ${JSON.stringify(changed.body)}`);
      assert.equal(changed.body.status, status);
    }
    const again = await api.call('POST', `/people/${person.id}/authenticators/${authenticatorId}/revoke`, {});
    assert.equal(again.status, 409);
  });

  test('issue 4 §7: sponsors request through the API and RA agents approve', async () => {
    const sponsor = await createRaStaff(ctx.db, 'sponsor', orgCode);
    const agent = await createRaStaff(ctx.db, 'ra-agent', orgCode);
    const sponsorApi = await createAdminClient(server, { actor: sponsor.personId, scope: 'ra:positions' });
    const agentApi = await createAdminClient(server, { actor: agent.personId, scope: 'ra:positions' });
    const person = (await api.call('POST', '/people', newPersonInput(orgCode))).body;
    await api.call('POST', `/people/${person.id}/identity-verifications`, {
      documents: threeDocuments,
      checkedOn: '2025-02-01',
    });
    const position = (
      await api.call('POST', '/positions', {
        orgCode,
        name: 'Doctor',
        jobRoleCode: 'R8000',
        approval: { approvedBy: 'MD', approvedOn: '2025-01-01' },
      })
    ).body;
    const direct = await sponsorApi.call('POST', `/people/${person.id}/positions`, {
      positionId: position.id,
    });
    assert.equal(direct.status, 403);
    const request = await sponsorApi.call('POST', '/position-requests', {
      personId: person.id,
      positionId: position.id,
    });
    assert.equal(request.status, 201);
    const pending = await agentApi.call('GET', `/organisations/${orgCode}/position-requests`);
    assert.deepEqual(
      pending.body.requests.map((r: { id: string }) => r.id),
      [request.body.id],
    );
    const decided = await agentApi.call('POST', `/position-requests/${request.body.id}/decision`, {
      approve: true,
    });
    assert.equal(decided.status, 200);
    assert.equal(decided.body.status, 'approved');
  });

  test('RFC 6750: no token, a bad token, or a client without ra_actor gets 401; a missing scope 403', async () => {
    const none = await apiCall(server, undefined, 'GET', '/people/123456789012');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
    const forged = await apiCall(server, 'not-a-real-token', 'POST', '/people', newPersonInput(orgCode));
    assert.equal(forged.status, 401);
    const unbound = await createAdminClient(server, { actor: undefined, scope: 'ra:people' });
    const unboundCall = await unbound.call('GET', `/people/${manager.personId}`);
    assert.equal(unboundCall.status, 401);
    assert.match(unboundCall.body.message, /ra_actor/);
    const peopleOnly = await createAdminClient(server, { actor: manager.personId, scope: 'ra:people' });
    const noScope = await peopleOnly.call('GET', '/audit-events');
    assert.equal(noScope.status, 403);
    assert.equal(noScope.body.error, 'insufficient_scope');
    // The engine refuses scopes the client is not registered for.
    await assert.rejects(
      createAdminClient(server, { actor: manager.personId, scope: 'ra:people', requestScope: 'audit:read' }),
    );
    // A client acting for someone with no RA role has no powers.
    const nobody = await createRaStaff(ctx.db, 'sponsor', await createOrganisation(ctx.db));
    await ctx.db.deleteFrom('role_assignments').where('person_id', '=', nobody.personId).execute();
    const powerless = await createAdminClient(server, { actor: nobody.personId, scope: 'ra:people' });
    assert.equal((await powerless.call('POST', '/people', newPersonInput(orgCode))).status, 403);
  });

  test('DESIGN §5: bad input in every call gets a clear 4xx, never a 500, and changes nothing', async () => {
    const person = (await api.call('POST', '/people', newPersonInput(orgCode, { niNumber: 'JT987654C' })))
      .body;
    const authenticatorId = await addAuthenticator(ctx.db, person.id);
    const before = await counts();
    const other = await createOrganisation(ctx.db);
    const cases: [string, string, unknown, number, string?][] = [
      ['POST', '/people/duplicate-search', {}, 400],
      ['POST', '/people/duplicate-search', { niNumber: 12 }, 400, 'niNumber'],
      ['POST', '/people/duplicate-search', '[1,2]', 400],
      ['POST', '/people', { ...newPersonInput(orgCode), email: 'nope' }, 400, 'email'],
      ['POST', '/people', { ...newPersonInput(orgCode), dateOfBirth: '31/12/1990' }, 400, 'dateOfBirth'],
      ['POST', '/people', { ...newPersonInput(orgCode), unexpected: 1 }, 400],
      ['POST', '/people', newPersonInput(other), 403],
      ['POST', '/people', newPersonInput(orgCode, { niNumber: 'JT987654C' }), 409, 'niNumber'],
      ['POST', '/people', '{"broken json', 400],
      ['GET', '/people/12', undefined, 404],
      ['GET', '/people/999999999999', undefined, 404],
      [
        'POST',
        `/people/${person.id}/identity-verifications`,
        { documents: threeDocuments.slice(0, 2), checkedOn: '2025-01-01' },
        400,
        'documents',
      ],
      [
        'POST',
        `/people/${person.id}/identity-verifications`,
        { documents: 'three', checkedOn: 'today' },
        400,
        'checkedOn',
      ],
      [
        'POST',
        '/people/999999999999/identity-verifications',
        { documents: threeDocuments, checkedOn: '2025-01-01' },
        404,
      ],
      ['PUT', `/people/${person.id}/photo`, { not: 'an image' }, 415],
      ['POST', '/positions', { orgCode, name: 'X', jobRoleCode: 'R0000', approval: {} }, 400, 'jobRoleCode'],
      [
        'POST',
        '/positions',
        {
          orgCode: other,
          name: 'X',
          jobRoleCode: 'R8000',
          approval: { approvedBy: 'A', approvedOn: '2025-01-01' },
        },
        403,
      ],
      ['PATCH', '/positions/999999999999', { assignable: 'yes' }, 400, 'assignable'],
      ['PATCH', '/positions/999999999999', { assignable: true }, 404],
      ['POST', `/people/${person.id}/positions`, { positionId: 'abc' }, 400, 'positionId'],
      [
        'POST',
        `/people/${person.id}/positions`,
        { positionId: '999999999999', startDate: '2025-05-01', endDate: '2025-04-01' },
        400,
        'endDate',
      ],
      ['POST', '/role-assignments/999999999999/end', { endDate: '2025-01-01' }, 404],
      ['POST', '/position-requests', { personId: person.id }, 400, 'positionId'],
      ['POST', '/position-requests/999999999999/decision', { approve: 'maybe' }, 400, 'approve'],
      ['GET', `/organisations/${other}/positions`, undefined, 403],
      ['GET', '/organisations/!!/positions', undefined, 400],
      ['POST', `/people/${person.id}/registration-links`, { kind: 'smartcard' }, 400, 'kind'],
      ['POST', `/people/${person.id}/registration-links`, { kind: 'password-totp' }, 409, 'personId'], // not verified yet
      ['GET', '/people/999999999999/authenticators', undefined, 404],
      ['POST', `/people/${person.id}/authenticators/nope/suspend`, {}, 404, 'authenticatorId'],
      ['POST', `/people/${person.id}/authenticators/${authenticatorId}/reinstate`, {}, 409],
      ['POST', `/people/${person.id}/authenticators/${authenticatorId}/unlock`, {}, 409],
      ['GET', '/audit-events?since=yesterday', undefined, 400, 'since'],
      ['GET', '/audit-events?limit=100000', undefined, 400, 'limit'],
      ['GET', `/audit-events?orgCode=${other}`, undefined, 403],
      ['DELETE', '/people', undefined, 404],
      ['GET', '/no/such/endpoint', undefined, 404],
    ];
    for (const [method, path, body, status, field] of cases) {
      const response = await api.call(method, path, body);
      const label = `${method} ${path} ${JSON.stringify(body)} -> ${response.status} ${JSON.stringify(response.body)}`;
      assert.equal(response.status, status, label);
      assert.equal(typeof response.body.error, 'string', label);
      assert.equal(typeof response.body.message, 'string', label);
      if (field)
        assert.ok(
          response.body.fields?.some((f: { field: string }) => f.field === field),
          label,
        );
    }
    const big = await api.call('POST', '/people', { ...newPersonInput(orgCode), title: 'x'.repeat(70_000) });
    assert.equal(big.status, 413);
    assert.deepEqual(await counts(), before);
  });
});
