import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../src/db/types.ts'
import { sqlitePath } from '../../src/db/database.ts'
import { upsertContactRequest } from '../../src/followup/queries.ts'
import { checkpoint, runRetention } from '../../src/followup/retention.ts'
import { buildApp } from '../../src/app.ts'
import { seedPoster, testConfig, testDatabase, type Fixture } from '../helpers.ts'

const day = 24 * 60 * 60 * 1000
const now = new Date('2027-03-01T12:00:00.000Z')
const ago = (days: number) => new Date(now.getTime() - days * day).toISOString()

async function response(db: Kysely<Database>, fixture: Fixture, createdAt: string, freeText: string | null) {
  const row = await db
    .insertInto('responses')
    .values({
      poster_id: fixture.posterId,
      region_id: fixture.regionId,
      partner_id: fixture.partnerId,
      location_id: fixture.locationId,
      activity_id: fixture.activityId,
      created_at: createdAt,
      language: 'nl',
      tried_new: 'yes',
      liked: 4,
      free_text: freeText,
      step: 2,
      record_key: 17,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function contact(db: Kysely<Database>, fixture: Fixture, createdAt: string, value: string, closedAt?: string) {
  const responseId = await response(db, fixture, createdAt, null)
  await upsertContactRequest(db, {
    response_id: responseId,
    region_id: fixture.regionId,
    name: `Naam ${value}`,
    channel: value.includes('@') ? 'email' : 'phone',
    contact_value: value,
    preferred_language: 'nl',
    good_moment: 'any',
    consent_version: 'x'.repeat(64),
    language: 'nl',
    created_at: createdAt,
    status: closedAt ? 'closed' : 'new',
    closed_at: closedAt ?? null,
    outcome: closedAt ? 'referred' : null,
    withdrawal_token_hash: `${value}-hash`,
  })
  return responseId
}

/** A learning-path step with a note on the contact request of this answer. */
async function note(db: Kysely<Database>, responseId: number, text: string) {
  const request = await db.selectFrom('contact_requests').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow()
  await db
    .insertInto('path_steps')
    .values({ contact_request_id: request.id, kind: 'conversation', on_day: '2027-01-01', offer_id: null, note: text, recorded_by: 1, recorded_at: ago(60), record_key: 9 })
    .execute()
}

/** A question the person added through their own link (migration 049). */
async function laterQuestion(db: Kysely<Database>, responseId: number, text: string) {
  const request = await db.selectFrom('contact_requests').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow()
  await db.insertInto('path_questions').values({ contact_request_id: request.id, text, language: 'nl', asked_on: '2027-01-01', asked_at: ago(60) }).execute()
}

t.test('retention erases exactly what is due, per region, and keeps the answers', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const a = await seedPoster(database)
  const b = await seedPoster(database)
  // Region b keeps contact details for a shorter time and free text for a year.
  await db.updateTable('regions').set({ contact_days_after_close: 7, contact_max_age_days: 30, free_text_retention_days: 365 }).where('id', '=', b.regionId).execute()

  const erasedPath = await contact(db, a, ago(40), '+32470000001', ago(31)) // closed 31 days ago: erased
  const keptPath = await contact(db, a, ago(40), '+32470000002', ago(29)) // closed 29 days ago: kept
  await note(db, erasedPath, 'notitie die gaat')
  await note(db, erasedPath, 'tweede notitie die gaat')
  await note(db, keptPath, 'notitie die blijft')
  await contact(db, a, ago(91), '+32470000003') // never closed, 91 days old: erased
  await contact(db, a, ago(89), '+32470000004') // 89 days old: kept
  await contact(db, b, ago(20), '+32470000005', ago(8)) // region b: closed 8 > 7 days ago: erased
  await contact(db, b, ago(31), '+32470000006') // region b: 31 > 30 days old: erased
  await contact(db, b, ago(10), '+32470000007', ago(6)) // region b: kept
  const oldText = await response(db, a, ago(731), 'oude tekst')
  const keptText = await response(db, a, ago(729), 'recente tekst')
  const oldTextB = await response(db, b, ago(366), 'tekst b')
  await db.insertInto('response_moderation').values({ response_id: oldText, status: 'approved', redacted_text: 'oude [naam] tekst', moderated_by: 1, moderated_at: ago(700) }).execute()

  const counts = await runRetention(db, now)
  t.same(counts, { contactsAfterClose: 2, contactsMaxAge: 2, freeTexts: 2, notes: 2 })
  const notes = await db.selectFrom('path_steps').select('note').orderBy('id').execute()
  t.same(notes.map((row) => row.note), [null, null, 'notitie die blijft'], 'path notes go with their contact details, and only those')

  const rows = await db.selectFrom('contact_requests').select(['contact_value', 'name', 'erased_at', 'erase_reason', 'status', 'outcome', 'withdrawal_token_hash']).orderBy('id').execute()
  const kept = rows.filter((row) => row.contact_value !== null).map((row) => row.contact_value)
  t.same(kept, ['+32470000002', '+32470000004', '+32470000007'])
  for (const row of rows.filter((row) => row.contact_value === null)) {
    t.match(row, { name: null, withdrawal_token_hash: null, erased_at: now.toISOString() })
    t.ok(['after_close', 'max_age'].includes(row.erase_reason ?? ''))
  }
  t.equal(rows[0]!.outcome, 'referred', 'the outcome stays for the referral counts')

  const texts = await db.selectFrom('responses').select(['id', 'free_text', 'liked']).where('id', 'in', [oldText, keptText, oldTextB]).orderBy('id').execute()
  t.same(texts.map((row) => row.free_text), [null, 'recente tekst', null])
  t.same(texts.map((row) => row.liked), [4, 4, 4], 'the answers themselves stay')
  const moderation = await db.selectFrom('response_moderation').select('redacted_text').executeTakeFirstOrThrow()
  t.equal(moderation.redacted_text, null, 'the redacted copy goes with the text')

  const again = await runRetention(db, now)
  t.same(again, { contactsAfterClose: 0, contactsMaxAge: 0, freeTexts: 0, notes: 0 }, 'a second run finds nothing')
  const runs = await db.selectFrom('retention_runs').selectAll().orderBy('id').execute()
  t.equal(runs.length, 2)
  t.match(runs[0], { contacts_after_close: 2, contacts_max_age: 2, free_texts: 2, notes: 2 })
})

t.test('erased contact details and free text leave no bytes in the SQLite file or its WAL', { skip: database() }, async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const phone = '+32470987123'
  const email = 'kanarie.wis@voorbeeld.be'
  const text = 'KANARIE-VRIJE-TEKST-5529'
  const pathNote = 'KANARIE-TRAJECTNOTITIE-8841: belt liever na vijven'
  const question = 'KANARIE-EIGEN-VRAAG-6612: ook Frans leren'
  const noted = await contact(db, fixture, ago(100), phone)
  await note(db, noted, pathNote)
  await laterQuestion(db, noted, question)
  await contact(db, fixture, ago(100), email)
  await response(db, fixture, ago(800), text)
  // Plenty of other rows around them, as in a real database.
  for (let i = 0; i < 200; i++) await response(db, fixture, ago(1), `gewone tekst ${i}`)

  const path = sqlitePath(database.url)
  const bytes = () => Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)])
  await checkpoint(database.sqlite)
  for (const canary of [phone, email, text, pathNote, question]) t.ok(bytes().includes(canary), `before: ${canary} is in the file (the test can see it)`)

  const counts = await runRetention(db, now)
  t.same(counts, { contactsAfterClose: 0, contactsMaxAge: 2, freeTexts: 1, notes: 2 }, 'notes: the bridge figure’s note and the person’s later question')
  await checkpoint(database.sqlite)
  t.equal(readFileSync(`${path}-wal`).length, 0, 'the WAL is truncated')
  for (const canary of [phone, email, text, pathNote, question]) t.notOk(bytes().includes(canary), `after: ${canary} is gone from the bytes`)
  t.ok(bytes().includes('gewone tekst 199'), 'the other rows are still there')
})

function database(): string | false {
  return process.env.TEST_DATABASE_URL ? 'the raw-bytes check is for the SQLite file' : false
}

/**
 * On PostgreSQL: the table files of contact requests and path steps (and their TOAST
 * tables), after VACUUM and a CHECKPOINT (which writes the vacuumed pages to disk). Only
 * where the server's data directory can be read from here (a local test server, as root);
 * the WAL segments are not checked — PostgreSQL keeps inserted values there until it
 * recycles the segment (docs/privacy.md §3).
 */
t.test('on PostgreSQL, after VACUUM the table files hold neither the contact details nor the path note', { skip: postgresFiles() }, async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const phone = '+32470987124'
  const pathNote = 'KANARIE-PG-TRAJECTNOTITIE-3317'
  const question = 'KANARIE-PG-EIGEN-VRAAG-2290'
  const noted = await contact(db, fixture, ago(100), phone)
  await note(db, noted, pathNote)
  await laterQuestion(db, noted, question)
  for (let i = 0; i < 100; i++) await note(db, await contact(db, fixture, ago(1), `+3247010${String(i).padStart(4, '0')}`), `gewone notitie ${i}`)

  const dataDirectory = (await sql<{ data_directory: string }>`show data_directory`.execute(db)).rows[0]!.data_directory
  const files = async () => {
    const rows = await sql<{ path: string | null }>`
      select pg_relation_filepath(c.oid) as path from pg_class c
      where c.oid in ('contact_requests'::regclass, 'path_steps'::regclass, 'path_questions'::regclass)
         or c.oid in (select reltoastrelid from pg_class where oid in ('contact_requests'::regclass, 'path_steps'::regclass, 'path_questions'::regclass))`.execute(db)
    return rows.rows.map((row) => row.path).filter((path): path is string => path !== null)
  }
  const bytes = async () => {
    await sql`checkpoint`.execute(db)
    return Buffer.concat((await files()).map((file) => (existsSync(`${dataDirectory}/${file}`) ? readFileSync(`${dataDirectory}/${file}`) : Buffer.alloc(0))))
  }
  for (const canary of [phone, pathNote, question]) t.ok((await bytes()).includes(canary), `before: ${canary} is in the table files (the test can see them)`)

  const counts = await runRetention(db, now)
  t.match(counts, { contactsMaxAge: 1, notes: 2 })
  await sql`vacuum contact_requests`.execute(db)
  await sql`vacuum path_steps`.execute(db)
  await sql`vacuum path_questions`.execute(db)
  const after = await bytes()
  for (const canary of [phone, pathNote, question]) t.notOk(after.includes(canary), `after VACUUM: ${canary} is gone from the table files`)
  t.ok(after.includes('gewone notitie 99'), 'the other rows are still there')
})

function postgresFiles(): string | false {
  if (!process.env.TEST_DATABASE_URL) return 'the PostgreSQL files check needs TEST_DATABASE_URL'
  return existsSync('/var/lib/postgresql') ? false : 'the PostgreSQL data directory is not on this machine'
}

t.test('the server runs retention on a schedule and stops when it closes', async (t) => {
  const lines: string[] = []
  const stream = { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream
  const ctx = { database: await testDatabase(t) }
  const fixture = await seedPoster(ctx.database)
  await contact(ctx.database.db, fixture, new Date(Date.now() - 200 * day).toISOString(), '+32470111222')
  // A short interval: tests cannot wait an hour.
  const app = await buildApp(testConfig({ LOG_LEVEL: 'info' }), { database: ctx.database, logStream: stream, retentionIntervalMs: 50 })
  await app.ready()
  await new Promise((resolve) => setTimeout(resolve, 300))
  await app.close()
  const row = await ctx.database.db.selectFrom('contact_requests').select(['contact_value', 'erase_reason']).executeTakeFirstOrThrow()
  t.same(row, { contact_value: null, erase_reason: 'max_age' })
  const runs = lines.filter((line) => line.includes('retention run'))
  t.ok(runs.length >= 1, 'each run is logged')
  t.match(runs[0], /"contactsMaxAge":1/)
  t.notOk(lines.join('').includes('470111222'), 'the log holds counts only')
  const count = runs.length
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(lines.filter((line) => line.includes('retention run')).length, count, 'no run after close')
})
