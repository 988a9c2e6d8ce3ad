import { z } from 'zod'
import { type Endpoint, endpoints, openApiPath } from './endpoints.ts'
import { apiSchemas, errorSchema } from './schemas.ts'

/**
 * The OpenAPI 3.1 description of /api/v1, generated from the endpoint table and its zod
 * schemas (OpenAPI 3.1 uses JSON Schema 2020-12, which is what `z.toJSONSchema` writes).
 * Built once per process: it changes only with the code.
 */

const apiVersion = '1.0.0'

type JsonSchema = Record<string, unknown>

/** Fastify's `/v1/regions/:regionId` → OpenAPI's `/api/v1/regions/{regionId}`. */
export function openApiPathOf(fastifyPath: string): string {
  return `/api${fastifyPath.replace(/:(\w+)/g, '{$1}')}`
}

function components(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiSchemas, { io: 'output', uri: (id) => `#/components/schemas/${id}` })
  const out: Record<string, JsonSchema> = {}
  for (const [id, schema] of Object.entries(schemas)) {
    // Each component is a subschema of the document: no dialect or identifier of its own
    // (a `$id` with a fragment is not allowed in JSON Schema 2020-12).
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema
    out[id] = rest
  }
  return out
}

/** A registered schema as a reference; the one place a route's schema meets its component. */
function ref(schema: z.ZodType): JsonSchema {
  const meta = apiSchemas.get(schema)
  if (!meta) throw new Error('an /api/v1 response schema must be registered in apiSchemas')
  return { $ref: `#/components/schemas/${meta.id}` }
}

function parameters(endpoint: Endpoint): JsonSchema[] {
  const list: JsonSchema[] = []
  for (const [place, schema] of [
    ['path', endpoint.params],
    ['query', endpoint.query],
  ] as const) {
    if (!schema) continue
    const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchema>; required?: string[] }
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property
      list.push({ name, in: place, required: place === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest })
    }
  }
  return list
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref(errorSchema) } } })

function operation(endpoint: Endpoint): JsonSchema {
  const filtered = endpoint.query.shape && Object.keys(endpoint.query.shape).length > 0
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: endpoint.description,
    parameters: parameters(endpoint),
    responses: {
      '200': { description: 'OK', content: { 'application/json': { schema: ref(endpoint.response) } } },
      '400': errorResponse(filtered ? 'A query parameter does not fit (`invalid_parameter`, `unknown_parameter`); `parameter` names it. ' +
              'Days are refused when they are not in the calendar, before 2000-01-01, more than a year after today, in reverse order, or more than five years apart.' : 'A query parameter was given (`unknown_parameter`).'),
      '401': errorResponse('No token (`missing_token`), or an unknown or revoked one (`invalid_token`). Comes with `WWW-Authenticate: Bearer`.'),
      '404': errorResponse('No such region for this token (`not_found`): another region\'s id answers exactly like an unknown one.'),
      '429': errorResponse('Too many requests with this token (`rate_limited`); `Retry-After` says when to try again.'),
      '503': errorResponse('The database cannot be reached (`unavailable`); `Retry-After` says when to try again.'),
    },
  }
}

export function buildOpenApi(publicBaseUrl: string): JsonSchema {
  const paths: Record<string, JsonSchema> = {}
  for (const endpoint of endpoints) {
    paths[openApiPathOf(endpoint.path)] = { get: operation(endpoint) }
  }
  paths[openApiPathOf(openApiPath)] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'The OpenAPI 3.1 description of /api/v1.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Leervraag API',
      version: apiVersion,
      summary: 'Read-only aggregates of a region\'s learning questions, protected against small numbers.',
      description:
        'The figures of a region dashboard as JSON, for the region a token was made for. Every count from 1 to the region\'s threshold − 1 is hidden ' +
        '(`{"count": null, "suppressed": true, "reason": "small", "below": k}`), as are counts that would let one be worked out from the totals. ' +
        'No free text, word lists or quotes are available through this API. Within v1, fields and endpoints are only added, never removed or changed in meaning: ignore fields you do not know. ' +
        'Dates are ISO 8601 calendar days in Belgium; error messages are English, match on `error.code`.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: publicBaseUrl.replace(/\/$/, '') }],
    security: [{ bearerToken: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A region\'s API token (`lvapi_…`), made by a coordinator at /admin/regions/{regionId}/api-tokens. Never put it in a URL.',
        },
      },
      schemas: components(),
    },
  }
}
