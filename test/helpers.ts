import { createHash, randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { loadOrCreateSecret } from '../src/db/secrets.ts'
import { createActivity, createLocation, createPartner, createRegion } from '../src/admin/queries.ts'
import { createPoster } from '../src/posters/queries.ts'
import type { Audience } from '../src/db/types.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** PostgreSQL when TEST_DATABASE_URL is set (each test gets a database of its own), else a fresh SQLite file. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL

/**
 * Where the SQLite test files live: memory-backed /dev/shm when the machine has it. The
 * product commits with synchronous=FULL, so every commit waits for the disk; on a VM's
 * disk that made a test database's migrations alone take 200–350 ms, on /dev/shm 90–110.
 * What the tests check does not depend on the disk (the crash test and the disk-full test
 * make their own files).
 */
const sqliteTestDir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()

/**
 * The migrated SQLite file of this test process, made once and copied for each test (a
 * copy takes about 1.5 ms, migrating anew about 100 ms). The migrations are deterministic,
 * so a copy is the same database a fresh run would make; the migrations themselves are
 * tested from an empty file in test/db/.
 */
let sqliteTemplate: Promise<string> | undefined
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = mkdtempSync(join(sqliteTestDir, 'leervraag-template-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'template.db')
    const handle = openDatabase(`sqlite:${path}`)
    await migrateToLatest(handle.db)
    // Closing the last connection checkpoints the WAL into the file and removes it.
    await handle.close()
    return path
  })()
  return sqliteTemplate
}

/**
 * On PostgreSQL each test gets a database of its own, cloned from a migrated template
 * (`create database … template …`, about 50 ms; migrating anew takes about 350 ms).
 *
 * Not a schema each in one shared database, as before: Kysely's migrator finds its tables
 * through introspection, whose query calls `pg_get_serial_sequence` on every table of every
 * schema in the database, and a table that another test process drops at that moment fails
 * the whole query ("relation t_….kysely_migration does not exist", naming the other test's
 * schema). A database's catalog holds only its own tables, so tests cannot meet that way.
 *
 * The template is named after the migrations it holds (a hash of the files), so a changed
 * or new migration gets a new one; it is made under a temporary name and renamed when
 * migrated, under an advisory lock, so no test process clones a half-migrated template.
 */
const pgPrefix = testDatabaseUrl ? new URL(testDatabaseUrl).pathname.slice(1) || 'postgres' : ''

function pgUrl(database: string): string {
  const url = new URL(testDatabaseUrl!)
  url.pathname = `/${database}`
  return url.toString()
}

async function pgAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

let pgTemplate: Promise<string> | undefined
function migratedPgTemplate(): Promise<string> {
  pgTemplate ??= (async () => {
    const folder = join(import.meta.dirname, '..', 'migrations')
    const hash = createHash('sha256')
    for (const file of readdirSync(folder).sort()) hash.update(file).update(readFileSync(join(folder, file)))
    const name = `${pgPrefix}_tpl_${hash.digest('hex').slice(0, 12)}`
    await pgAdmin(async (client) => {
      await client.query('select pg_advisory_lock(hashtext($1))', [name])
      try {
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
        if (rowCount) return
        const making = `${name}_making`
        await client.query(`drop database if exists ${making} with (force)`)
        await client.query(`create database ${making}`)
        const handle = openDatabase(pgUrl(making), { poolSize: 1 })
        await migrateToLatest(handle.db)
        await handle.close()
        await client.query(`alter database ${making} rename to ${name}`)
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [name])
      }
    })
    return name
  })()
  return pgTemplate
}

/** A fresh, migrated database that disappears when the test ends. */
export async function testDatabase(t: Teardown, options: { migrate?: boolean } = {}): Promise<DatabaseHandle & { url: string }> {
  let handle: DatabaseHandle
  let url: string
  if (testDatabaseUrl) {
    const name = `${pgPrefix}_t_${randomBytes(6).toString('hex')}`
    const template = options.migrate === false ? 'template0' : await migratedPgTemplate()
    await pgAdmin((client) => client.query(`create database ${name} template ${template}`))
    url = pgUrl(name)
    handle = openDatabase(url, { poolSize: 5 })
    t.teardown(async () => {
      await handle.close()
      // A server process that a test started may still hold a connection: force ends it.
      await pgAdmin((client) => client.query(`drop database if exists ${name} with (force)`))
    })
  } else {
    const dir = mkdtempSync(join(sqliteTestDir, 'leervraag-test-'))
    url = `sqlite:${join(dir, 'test.db')}`
    if (options.migrate !== false) copyFileSync(await migratedSqliteTemplate(), join(dir, 'test.db'))
    handle = openDatabase(url)
    t.teardown(async () => {
      await handle.close()
      rmSync(dir, { recursive: true, force: true })
    })
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
  options: { minFillMs?: { step1: number; step2: number }; now?: () => Date } = {},
): Promise<TestApp> {
  const database = await testDatabase(t)
  // Tests answer faster than a person can; the fill-time rule has its own test.
  const app = await buildApp(testConfig(overrides), { database, minFillMs: options.minFillMs ?? { step1: 0, step2: 0 }, ...(options.now ? { now: options.now } : {}) })
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
/** The secret the capture plugin signs form tickets and answer tokens with (as src/capture/routes.ts reads it). */
export async function answerSecret(app: FastifyInstance): Promise<string> {
  return app.config.secret ?? loadOrCreateSecret(app.db, 'answer-token')
}

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
