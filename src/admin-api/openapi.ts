// The OpenAPI 3.1 document of the administration API, generated from the operation table and the
// same zod schemas that validate requests (z.toJSONSchema).
import { z } from 'zod';
import { ErrorBody, type Operation, operations, pathParameters } from './operations.ts';
import { adminScopes } from './scopes.ts';

export const API_PREFIX = '/admin/api/v1';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  delete out['$schema'];
  return out;
}

/** The body schema without the fields that come from the path. */
function bodySchema(operation: Operation): JsonSchema {
  const schema = jsonSchema(operation.body!);
  const fromPath = new Set(pathParameters(operation.path));
  const properties = { ...(schema['properties'] as Record<string, unknown> | undefined) };
  for (const name of fromPath) delete properties[name];
  const required = ((schema['required'] as string[] | undefined) ?? []).filter((name) => !fromPath.has(name));
  return { ...schema, properties, ...(required.length ? { required } : { required: undefined }) };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(issuer: string, tokenEndpoint: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const path = operation.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = pathParameters(operation.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (operation.query) {
      const query = jsonSchema(operation.query);
      for (const [name, schema] of Object.entries((query['properties'] as Record<string, unknown>) ?? {})) {
        parameters.push({ name, in: 'query', required: false, schema });
      }
    }
    const requestBody = operation.body
      ? { required: true, content: { 'application/json': { schema: bodySchema(operation) } } }
      : operation.raw
        ? {
            required: true,
            content: Object.fromEntries(
              operation.raw.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
            ),
          }
        : undefined;
    paths[path] = {
      ...paths[path],
      [operation.method]: {
        operationId: operation.id,
        summary: operation.summary,
        security: [{ clientCredentials: [operation.scope] }],
        ...(parameters.length ? { parameters } : {}),
        ...(requestBody ? { requestBody } : {}),
        responses: {
          [operation.status]: {
            description: 'Done',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          400: errorResponse('Bad input: `fields` names each problem'),
          401: errorResponse('No valid access token'),
          403: errorResponse('Missing scope, or the RA actor may not do this in this organisation'),
          404: errorResponse('Not found in the organisations the RA actor serves'),
          409: errorResponse('Conflicts with what is stored (duplicate, wrong state)'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Care Identity administration API',
      version: '1',
      description:
        'Registration Authority operations for scripts (e.g. bulk registration). Each client acts for one registered RA staff member (client metadata `ra_actor`) and has exactly their powers.',
    },
    servers: [{ url: `${new URL(issuer).origin}${API_PREFIX}` }],
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody) },
      securitySchemes: {
        clientCredentials: {
          type: 'oauth2',
          description: 'Client credentials with private_key_jwt client authentication at the token endpoint',
          flows: { clientCredentials: { tokenUrl: tokenEndpoint, scopes: adminScopes } },
        },
      },
    },
  };
}
