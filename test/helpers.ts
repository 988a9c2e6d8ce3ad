import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { createActivity, createLocation, createPartner, createRegion } from '../src/admin/queries.ts'
import { createPoster } from '../src/posters/queries.ts'
import type { Audience } from '../src/db/types.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** PostgreSQL when TEST_DATABASE_URL is set (each test gets its own schema), else a fresh SQLite file. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL

/** A fresh, migrated database that disappears when the test ends. */
export async function testDatabase(t: Teardown, options: { migrate?: boolean } = {}): Promise<DatabaseHandle & { url: string }> {
  let handle: DatabaseHandle
  let url: string
  if (testDatabaseUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: testDatabaseUrl })
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    handle = openDatabase(testDatabaseUrl, { searchPath: schema, poolSize: 5 })
    url = `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`
    t.teardown(async () => {
      await handle.close()
      const cleanup = new pg.Client({ connectionString: testDatabaseUrl })
      await cleanup.connect()
      await cleanup.query(`drop schema ${schema} cascade`)
      await cleanup.end()
    })
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'leervraag-test-'))
    url = `sqlite:${join(dir, 'test.db')}`
    handle = openDatabase(url)
    t.teardown(async () => {
      await handle.close()
      rmSync(dir, { recursive: true, force: true })
    })
  }
  if (options.migrate !== false) {
    // In CI's PostgreSQL pass a fresh schema was three times reported missing to the migrator
    // moments after it was created (cause not found yet; not reproduced alone): create it
    // again if need be and retry, so a test is judged on what it tests.
    for (let attempt = 1; ; attempt++) {
      try {
        await migrateToLatest(handle.db)
        break
      } catch (error) {
        const schema = /schema "(t_[0-9a-f]{12})" does not exist/.exec(String((error as Error).message))?.[1]
        if (!testDatabaseUrl || !schema || attempt >= 3) throw error
        const again = new pg.Client({ connectionString: testDatabaseUrl })
        await again.connect()
        await again.query(`create schema if not exists ${schema}`)
        await again.end()
      }
    }
  }
  return Object.assign(handle, { url })
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'https://leervraag.example.be', ...overrides })
}

export interface TestApp {
  app: FastifyInstance
  database: DatabaseHandle & { url: string }
}

export async function buildTestApp(
  t: Teardown,
  overrides: Record<string, string> = {},
  options: { minFillMs?: { step1: number; step2: number } } = {},
): Promise<TestApp> {
  const database = await testDatabase(t)
  // Tests answer faster than a person can; the fill-time rule has its own test.
  const app = await buildApp(testConfig(overrides), { database, minFillMs: options.minFillMs ?? { step1: 0, step2: 0 } })
  t.teardown(() => app.close())
  return { app, database }
}

export interface Fixture {
  regionId: number
  partnerId: number
  locationId: number
  activityId: number
  posterId: number
  code: string
}

let fixtureCounter = 0

/** A region with one partner, location, activity and poster: the smallest world a scan needs. */
export async function seedPoster(database: DatabaseHandle, options: { audience?: Audience; regionId?: number; language?: string } = {}): Promise<Fixture> {
  const n = ++fixtureCounter
  const regionId =
    options.regionId ?? (await createRegion(database.db, { slug: `regio-${n}`, name: `Regio ${n}`, contactLine: 'Bel de brugfiguur: 012 34 56 78' }))
  const partnerId = await createPartner(database.db, regionId, `Bibliotheek ${n}`, 'library')
  const locationId = await createLocation(database.db, regionId, { name: `Bib Tongeren ${n}`, municipality: 'Tongeren' })
  const activityId = await createActivity(database.db, { partnerId, title: `Repair Café ${n}`, audience: options.audience ?? 'all' })
  const poster = await createPoster(database.db, { activityId, locationId, language: options.language })
  return { regionId, partnerId, locationId, activityId, posterId: poster.id, code: poster.code }
}

/** Encodes a form body the way a browser does. */
export function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, one)
  }
  return params.toString()
}

export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

/** The form ticket printed in a step-1 page. */
export function ticketFrom(html: string): string {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1]
  if (!ticket) throw new Error('no form ticket in the page')
  return ticket
}

/** Scans a poster and taps an answer, as a phone would: GET the form, POST it with its ticket. */
export async function answerStepOne(app: FastifyInstance, code: string, fields: Record<string, string> = {}, cookies: Record<string, string> = {}) {
  const page = await app.inject({ method: 'GET', url: `/q/${code}`, cookies })
  const res = await app.inject({
    method: 'POST',
    url: `/q/${code}`,
    headers: formHeaders,
    cookies,
    payload: form({ tried_new: 'yes', ticket: ticketFrom(page.body), ...fields }),
  })
  const location = String(res.headers.location ?? '')
  return { res, location, token: new URL(location || '/', 'http://x').searchParams.get('t') ?? '' }
}
