import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { openApiPathOf } from '../../src/api/openapi.ts'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'

/**
 * The OpenAPI document against what is served: every /api/v1 route in Fastify's route
 * table is described (and nothing else), and real answers — aggregates under several
 * filters, and each kind of error — validate against the schemas the document gives for
 * their status, checked with Ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses), not with the
 * zod schemas the document was made from.
 */

type Doc = {
  openapi: string
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>
}

t.test('every /api/v1 route is described, and answers match their description', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const other = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now, limit: { max: 1000, windowMs: 60_000 } })
  await app.register(apiRoutes, { prefix: '/limited/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now, limit: { max: 0, windowMs: 60_000 } })
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'openapi', userId: null })

  const response = await app.inject({ url: '/api/v1/openapi.json' })
  t.equal(response.statusCode, 200)
  const doc = response.json() as Doc
  t.equal(doc.openapi, '3.1.0')

  const served = app.routeTable
    .filter((route) => route.url.startsWith('/api/v1') && route.method !== 'HEAD')
    .map((route) => `${route.method.toLowerCase()} ${openApiPathOf(route.url.slice('/api'.length))}`)
    .sort()
  const described = Object.entries(doc.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
    .sort()
  t.ok(served.length >= 7, `${served.length} routes under /api/v1`)
  t.same(served, described, 'the document describes exactly the routes Fastify serves')

  const operationIds = Object.values(doc.paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId))
  t.equal(new Set(operationIds).size, operationIds.length, 'operation ids are unique')
  for (const [path, operations] of Object.entries(doc.paths)) {
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const op of Object.values(operations)) {
      t.same((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort(), inPath, `${op.operationId}: its path parameters are described`)
    }
  }

  const base = 'https://leervraag.example.be/openapi.json'
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema({ ...doc, $id: base })
  const validatorFor = (path: string, status: number) => {
    const operation = doc.paths[path]?.get
    const schema = operation?.responses[String(status)]?.content?.['application/json']?.schema
    if (!schema) return undefined
    const ref = schema.$ref as string | undefined
    return ajv.compile(ref ? { $ref: base + ref } : schema)
  }

  const regionPath = `/v1/regions/${world.regionId}`
  const requests: { url: string; status: number; path: string; auth?: boolean }[] = [
    { url: '/v1/regions', status: 200, path: '/api/v1/regions' },
    { url: regionPath, status: 200, path: '/api/v1/regions/{regionId}' },
    { url: `/v1/regions/${other.regionId}`, status: 404, path: '/api/v1/regions/{regionId}' },
    { url: '/v1/regions?x=1', status: 400, path: '/api/v1/regions' },
  ]
  for (const name of ['summary', 'weekly', 'themes', 'breakdowns']) {
    const path = `/api/v1/regions/{regionId}/${name}`
    for (const query of ['', 'period=2026-11', 'period=year', 'period=2026-Q4-td', `partner=${world.partners.b}&age=25_44`, `location=${world.locations[2]}&period=2026-11`, 'period=2026-W47']) {
      requests.push({ url: `${regionPath}/${name}?${query}`, status: 200, path })
    }
    requests.push({ url: `${regionPath}/${name}?period=4w`, status: 400, path })
    requests.push({ url: `${regionPath}/${name}?partner=999999`, status: 400, path })
    requests.push({ url: `${regionPath}/${name}`, status: 401, path, auth: false })
    requests.push({ url: `/v1/regions/${other.regionId}/${name}`, status: 404, path })
  }

  let validated = 0
  for (const request of requests) {
    const answer = await app.inject({ url: `/pinned/api${request.url}`, headers: request.auth === false ? {} : { authorization: `Bearer ${token}` } })
    t.equal(answer.statusCode, request.status, `${request.url} → ${request.status}`)
    const validate = validatorFor(request.path, request.status)
    if (!validate) {
      t.fail(`${request.path}: no schema for ${request.status} in the document`)
      continue
    }
    if (validate(answer.json())) validated++
    else t.fail(`${request.url}: the answer does not match the document`, { errors: validate.errors })
  }
  const limited = await app.inject({ url: `/limited/api${regionPath}/summary`, headers: { authorization: `Bearer ${token}` } })
  t.equal(limited.statusCode, 429)
  const validate429 = validatorFor('/api/v1/regions/{regionId}/summary', 429)!
  t.ok(validate429(limited.json()), 'a 429 matches the document too')
  t.equal(validated, requests.length, `${validated} answers validated against the document`)

  // A check that can fail: a cell without a whole published count does not pass the document's schema.
  const summary = (await app.inject({ url: `/pinned/api${regionPath}/summary`, headers: { authorization: `Bearer ${token}` } })).json()
  const validateSummary = validatorFor('/api/v1/regions/{regionId}/summary', 200)!
  t.ok(validateSummary(summary), 'the answer itself passes')
  t.notOk(validateSummary({ ...summary, responses: { count: null } }), 'a cell without a count is refused')
  t.notOk(validateSummary({ ...summary, responses: { count: 2.5 } }), 'a count that is not whole is refused')
  t.notOk(validateSummary({ ...summary, period: { ...summary.period, id: undefined } }), 'a period without its grid id is refused')
  t.notOk(validateSummary({ ...summary, responses: '< 5' }), 'a string is refused')
})
