import t from 'tap'
import { CompiledQuery } from 'kysely'
import { approvedQuotesQuery, moderate } from '../../src/followup/moderation.ts'
import { seedPoster, testDatabase, testDatabaseUrl } from '../helpers.ts'

/**
 * The approved-quotes query is driven by what is rare (issue 17): on SQLite its plan must
 * search the moderation index of migration 021 and reach answers by key only — never scan
 * the responses table or walk the free-text index. Fails when the query stops using it.
 */

t.test('approvedQuotes searches response_moderation by its region/status/time index', { skip: testDatabaseUrl ? 'the plan is SQLite’s' : false }, async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const rows = Array.from({ length: 500 }, (_, i) => ({
    poster_id: fixture.posterId, region_id: fixture.regionId, partner_id: fixture.partnerId, location_id: fixture.locationId, activity_id: fixture.activityId,
    created_at: new Date(Date.parse('2026-03-01T10:00:00Z') + i * 3_600_000).toISOString(), language: 'nl', tried_new: 'yes' as const, step: 2, free_text: `tekst ${i}`, record_key: i % 256,
  }))
  const ids = (await db.insertInto('responses').values(rows).returning('id').execute()).map((row) => row.id)
  t.ok(await moderate(db, fixture.regionId, ids[10]!, 1, { action: 'approve' }))
  const stored = await db.selectFrom('response_moderation').select(['region_id', 'created_at']).where('response_id', '=', ids[10]!).executeTakeFirstOrThrow()
  t.same(stored, { region_id: fixture.regionId, created_at: rows[10]!.created_at }, 'the moderation row carries the answer’s region and time')
  await db.executeQuery(CompiledQuery.raw('analyze'))

  for (const filters of [{}, { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', limit: 6 }, { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', partnerId: fixture.partnerId, limit: 6 }]) {
    const compiled = approvedQuotesQuery(db, fixture.regionId, filters).compile()
    const plan = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows.map((row) => row.detail)
    const text = plan.join('\n')
    t.match(text, /SEARCH response_moderation USING (?:COVERING )?INDEX response_moderation_region_status_time \(region_id=\? AND status=\?/, `${JSON.stringify(filters)}: the moderation index leads\n${text}`)
    t.match(text, /SEARCH responses USING INTEGER PRIMARY KEY \(rowid=\?\)/, 'answers by key')
    t.notMatch(text, /SCAN responses|responses_region_text|SCAN response_moderation/, 'no scan of the answers, no walk of the text index')
    t.notMatch(text, /USE TEMP B-TREE FOR ORDER BY/, 'newest first from the index itself')
    const found = await approvedQuotesQuery(db, fixture.regionId, filters).execute()
    t.same(found.map((row) => row.responseId), [ids[10]], 'and it finds the one approved quote')
  }
})
