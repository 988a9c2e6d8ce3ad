import t from 'tap'
import { cellKey, K, publish } from '../../src/answers/cell-key.ts'
import { buildTestApp } from '../helpers.ts'
import { mediaBoxes, pageCount, pdfLines } from '../posters/pdf-tools.ts'
import { signedIn } from '../dashboard/people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf, type StoredAnswer } from '../planning/world.ts'

/**
 * The monthly digest page (issue 19) on the planning world (the clock is 2 December 2026):
 * every figure on it is computed here from the stored answers and path steps (counts and
 * key sums added up in JavaScript) and must be the published value of the cell-key table;
 * who may open which digest; a month that is malformed or not over yet is the 400 page.
 */

const inMonth = (a: StoredAnswer, month: string) => brusselsDayOf(a.createdAt).startsWith(month)

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t, {}, { now: () => now })
  const db = ctx.database.db
  const w = await buildPlanningWorld(db)
  return { ...ctx, db, w }
}

const figureAfter = (body: string, label: string) => Number(new RegExp(`<th scope="row">${label.replace(/[()]/g, '\\$&')}</th><td>(\\d+)</td>`).exec(body)?.[1])

t.test('the region digest of the last complete month: published counts only, each the published value of its records', async (t) => {
  const { app, db, w } = await world(t)
  // Path steps in November: 7 conversations and 2 referrals (published as 0 or K…K+D, never 1…4), one in October (another month).
  const request = await db.selectFrom('contact_requests').select('id').where('region_id', '=', w.regionId).orderBy('id').executeTakeFirstOrThrow()
  const keys = [3, 250, 17, 99, 128, 64, 201]
  for (const [i, key] of keys.entries()) {
    await db.insertInto('path_steps').values({ contact_request_id: request.id, kind: 'conversation', on_day: `2026-11-${String(3 + i).padStart(2, '0')}`, offer_id: null, note: `GEHEIME-NOTITIE-${i}`, recorded_by: 1, recorded_at: now.toISOString(), record_key: key }).execute()
  }
  await db.insertInto('path_steps').values([
    { contact_request_id: request.id, kind: 'referral', on_day: '2026-11-20', offer_id: null, note: null, recorded_by: 1, recorded_at: now.toISOString(), record_key: 11 },
    { contact_request_id: request.id, kind: 'referral', on_day: '2026-11-21', offer_id: null, note: null, recorded_by: 1, recorded_at: now.toISOString(), record_key: 12 },
    { contact_request_id: request.id, kind: 'started', on_day: '2026-10-31', offer_id: null, note: null, recorded_by: 1, recorded_at: now.toISOString(), record_key: 40 },
  ]).execute()
  // Two updates in November, one hidden; one offer added in November.
  await db.insertInto('region_updates').values([
    { region_id: w.regionId, theme_id: null, body: 'Nieuwe taalcursus in de bib', created_by: null, created_at: '2026-11-05T10:00:00.000Z', hidden_at: null },
    { region_id: w.regionId, theme_id: null, body: 'Verborgen bericht', created_by: null, created_at: '2026-11-06T10:00:00.000Z', hidden_at: '2026-11-07T10:00:00.000Z' },
    { region_id: w.regionId, theme_id: null, body: 'Oktober', created_by: null, created_at: '2026-10-06T10:00:00.000Z', hidden_at: null },
  ]).execute()
  await db.updateTable('offers').set({ created_at: '2026-11-15T10:00:00.000Z' }).where('region_id', '=', w.regionId).where('title', '=', 'Moestuinploeg').execute()
  await db.updateTable('offers').set({ created_at: '2026-10-15T10:00:00.000Z' }).where('region_id', '=', w.regionId).where('title', '!=', 'Moestuinploeg').execute()

  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [w.regionId] })
  const res = await coordinator.get(`/admin/regions/${w.regionId}/digest`)
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h1>Maandoverzicht Regio Planning, november 2026</h1>', 'the last complete month by default')
  t.match(res.body, 'van 2026-11-01 tot en met 2026-11-30')
  // The world has no November answers: the region published 0 answers and lists no theme.
  t.match(res.body, '<p><b>0</b> antwoorden in de regio</p>')
  t.match(res.body, 'Geen thema&#39;s genoeg gevraagd om te tonen.')
  t.equal(figureAfter(res.body, 'berichten geplaatst'), 1, 'one visible update in November')
  t.equal(figureAfter(res.body, 'leeraanbod toegevoegd'), 1, 'one offer added in November')
  t.equal(figureAfter(res.body, 'gesprekken met een brugfiguur'), publish(7, cellKey(keys.reduce((a, b) => a + b, 0))), 'conversations: 7 steps, published over their keys')
  t.equal(figureAfter(res.body, 'doorverwijzingen naar aanbod'), publish(2, cellKey(23)), 'referrals: 2 steps, published through their key')
  t.ok(((n) => n === 0 || n >= K)(figureAfter(res.body, 'doorverwijzingen naar aanbod')), 'never 1 … 4')
  t.equal(figureAfter(res.body, 'gestart met een cursus'), 0, 'a step of October is not November’s')
  t.notMatch(res.body, 'GEHEIME-NOTITIE', 'no note reaches the digest')
  t.notMatch(res.body, 'Nieuwe taalcursus', 'no free text is quoted')
  t.notMatch(res.body, /Persoon \d/, 'nobody is named')

  // September: the Q3 world's answers of that month, published over their keys.
  const sept = await coordinator.get(`/admin/regions/${w.regionId}/digest?month=2026-09`)
  t.equal(sept.statusCode, 200)
  const september = w.answers.filter((a) => inMonth(a, '2026-09'))
  t.match(sept.body, `<p><b>${publishedOf(september)}</b> antwoorden in de regio</p>`, `answers: ${september.length} records published`)
  const august = w.answers.filter((a) => inMonth(a, '2026-08'))
  const topLines = [...sept.body.matchAll(/<li>([^<:]+): <b>(\d+)<\/b>/g)].map((m) => ({ label: m[1]!, count: Number(m[2]) }))
  t.ok(topLines.length > 0, 'themes are listed')
  const labels: Record<string, string> = {}
  for (const row of await db.selectFrom('themes').select(['slug', 'labels']).where('region_id', '=', w.regionId).execute()) labels[(JSON.parse(row.labels) as Record<string, string>).nl!] = row.slug
  for (const line of topLines.slice(0, 5)) {
    const slug = labels[line.label]!
    t.equal(line.count, publishedOf(september.filter((a) => a.themes.includes(slug))), `${slug}: the published count of its September answers`)
    t.not(line.count > 0 && line.count < 5, true, `${slug}: never 1 … 4`)
  }
  const talen = publishedOf(september.filter((a) => a.themes.includes('talen')))
  const talenBefore = publishedOf(august.filter((a) => a.themes.includes('talen')))
  if (talen > 0) t.match(sept.body, `(de maand ervoor: ${talenBefore})`, 'the month before beside it, published too')
})

t.test('who opens which digest, and bad months', async (t) => {
  const { app, db, w } = await world(t)
  const [p1, p2] = w.partners as [number, number]
  const region = `/admin/regions/${w.regionId}/digest`
  const partner = (id: number) => `/admin/regions/${w.regionId}/partners/${id}/digest`
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [w.regionId] })
  const bridge = await signedIn(app, db, 'bridge', { regionIds: [w.regionId] })
  const member = await signedIn(app, db, 'partner', { partnerIds: [p1] })
  const stranger = await signedIn(app, db, 'coordinator', { regionIds: [] })

  t.equal((await coordinator.get(region)).statusCode, 200, 'a coordinator: the region digest')
  t.equal((await coordinator.get(partner(p2))).statusCode, 200, 'a coordinator: any partner’s digest of the region')
  t.equal((await bridge.get(region)).statusCode, 200, 'a bridge figure: the region digest')
  t.equal((await bridge.get(partner(p1))).statusCode, 403, 'a bridge figure: not a partner’s')
  const own = await member.get(partner(p1))
  t.equal(own.statusCode, 200, 'a partner member: their own partner’s digest')
  t.match(own.body, `<h1>Maandoverzicht ${w.partnerNames[0]}, november 2026</h1>`)
  t.match(own.body, `De cijfers van ${w.partnerNames[0]}`)
  t.match(own.body, `href="${partner(p1)}" aria-current="page">Ons maandoverzicht</a>`, 'their menu links it')
  t.equal((await member.get(partner(p2))).statusCode, 403, 'not another partner’s')
  t.equal((await member.get(region)).statusCode, 403, 'not the region’s')
  t.equal((await member.get(`/admin/regions/${w.regionId}/partners/99999/digest`)).statusCode, 404, 'an unknown partner: 404')
  t.equal((await stranger.get(region)).statusCode, 404, 'another region’s coordinator: 404')

  for (const [month, text] of [
    ['2026-12', 'Een maandoverzicht bestaat pas als de maand voorbij is.'],
    ['2027-01', 'Een maandoverzicht bestaat pas als de maand voorbij is.'],
    ['2026-13', 'Geef een maand als JJJJ-MM'],
    ['2026-Q3', 'Geef een maand als JJJJ-MM'],
    ['1999-12', 'Geef een maand als JJJJ-MM'],
    ['november', 'Geef een maand als JJJJ-MM'],
  ] as const) {
    const res = await coordinator.get(`${region}?month=${month}`)
    t.equal(res.statusCode, 400, `?month=${month}: 400`)
    t.match(res.body, text, `?month=${month}: says why`)
  }
  t.equal((await coordinator.get(`${region}?month=${'9'.repeat(40)}`)).statusCode, 400, 'an over-long month: 400')
})

t.test('the digest as a one-page PDF: the page’s figures, read back from the file', async (t) => {
  const { app, db, w } = await world(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [w.regionId] })
  const member = await signedIn(app, db, 'partner', { partnerIds: [w.partners[0]!] })
  const region = await coordinator.get(`/admin/regions/${w.regionId}/digest.pdf?month=2026-09`)
  t.equal(region.statusCode, 200)
  t.equal(region.headers['content-type'], 'application/pdf')
  t.equal(region.headers['content-disposition'], `attachment; filename="leervraag-digest-regio-${w.regionId}-2026-09.pdf"`)
  const pdf = region.rawPayload
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-')
  t.equal(pageCount(pdf), 1, 'one page')
  t.same(mediaBoxes(pdf), [{ width: 595.28, height: 841.89 }], 'A4 portrait')
  const text = (await pdfLines(pdf)).replace(/\s+/g, ' ')
  const september = w.answers.filter((a) => inMonth(a, '2026-09'))
  t.match(text, 'Maandoverzicht Regio Planning, september 2026')
  t.match(text, `antwoorden in de regio ${publishedOf(september)}`, 'the published answers of September')
  t.match(text, 'Wat het ecosysteem deed')
  t.match(text, 'Leervraag · 2026-12-02', 'dated by the app’s clock')

  const own = await member.get(`/admin/regions/${w.regionId}/partners/${w.partners[0]}/digest.pdf?month=2026-09`)
  t.equal(own.statusCode, 200)
  t.equal(pageCount(own.rawPayload), 1, 'a partner’s digest: one page too')
  const ownText = (await pdfLines(own.rawPayload)).replace(/\s+/g, ' ')
  const mine = september.filter((a) => a.partner === w.partners[0])
  t.match(ownText, `De cijfers van ${w.partnerNames[0]}`)
  t.match(ownText, `antwoorden ${publishedOf(mine)}`, 'the partner’s own published answers')
  t.equal((await member.get(`/admin/regions/${w.regionId}/partners/${w.partners[1]}/digest.pdf`)).statusCode, 403, 'not another partner’s PDF')
  t.equal((await coordinator.get(`/admin/regions/${w.regionId}/digest.pdf?month=2026-12`)).statusCode, 400, 'an unfinished month: 400')
})

t.test('paths that reached a next step: each path once, published over the keys of the answers behind them; a partner sees only its own posters’ paths', async (t) => {
  const { app, db, w } = await world(t)
  const [p1, p2, p3] = w.partners as [number, number, number]
  const requests = await db
    .selectFrom('contact_requests')
    .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
    .select(['contact_requests.id', 'responses.partner_id', 'responses.record_key'])
    .where('contact_requests.region_id', '=', w.regionId)
    .orderBy('contact_requests.id')
    .execute()
  const of = (partner: number) => requests.filter((r) => r.partner_id === partner)
  t.ok(of(p1).length >= 4 && of(p2).length >= 2 && of(p3).length >= 1, 'the world has the requests this test needs')
  const step = (requestId: number, kind: 'conversation' | 'referral' | 'trial' | 'started' | 'completed', onDay: string, recordKey = 1) => ({
    contact_request_id: requestId, kind, on_day: onDay, offer_id: null, note: null, recorded_by: 1, recorded_at: now.toISOString(), record_key: recordKey,
  })
  const [a, b, c, d] = of(p1) as [(typeof requests)[number], (typeof requests)[number], (typeof requests)[number], (typeof requests)[number]]
  const [e, f] = of(p2) as [(typeof requests)[number], (typeof requests)[number]]
  const g = of(p3)[0]!
  await db.insertInto('path_steps').values([
    step(a.id, 'referral', '2026-11-02'), step(a.id, 'trial', '2026-11-09'), step(a.id, 'completed', '2026-11-28'), // two next steps: one path
    step(b.id, 'started', '2026-11-10'),
    step(c.id, 'trial', '2026-11-30'),
    step(d.id, 'started', '2026-10-31'), // October's, not November's
    step(e.id, 'started', '2026-11-03'),
    step(f.id, 'completed', '2026-11-15'),
    step(g.id, 'conversation', '2026-11-04'), step(g.id, 'referral', '2026-11-05'), // talked and referred: not a next step
  ]).execute()
  const published = (paths: (typeof requests)[number][]) => publish(paths.length, cellKey(paths.reduce((sum, r) => sum + r.record_key, 0)))
  const region = published([a, b, c, e, f])
  const own = published([a, b, c])

  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [w.regionId] })
  const res = await coordinator.get(`/admin/regions/${w.regionId}/digest?month=2026-11`)
  t.equal(res.statusCode, 200)
  t.equal(figureAfter(res.body, 'trajecten met een volgende stap'), region, 'the region: 5 paths, published over their answers’ keys')
  t.match(res.body, 'Een traject met een volgende stap: een traject met minstens één stap ‘proefsessie’, ‘gestart met een cursus’ of ‘afgerond’ in deze maand, één keer geteld.', 'the page says what is counted')
  const pdf = (await pdfLines((await coordinator.get(`/admin/regions/${w.regionId}/digest.pdf?month=2026-11`)).rawPayload)).replace(/\s+/g, ' ')
  t.match(pdf, `trajecten met een volgende stap ${region}`, 'the PDF: the same figure')

  const member = await signedIn(app, db, 'partner', { partnerIds: [p1] })
  const mine = await member.get(`/admin/regions/${w.regionId}/partners/${p1}/digest?month=2026-11`)
  t.equal(mine.statusCode, 200)
  t.equal(figureAfter(mine.body, 'trajecten vanuit jullie affiches met een volgende stap'), own, 'the partner: its own 3 paths only, published over their keys')
  t.ok(Number.isNaN(figureAfter(mine.body, 'trajecten met een volgende stap')), 'not the region’s count, which holds other partners’ paths')
  t.not(own, 3, 'a true 3 is never shown as itself')
  t.ok(own === 0 || own >= K, 'never 1 … 4')
  const other = await coordinator.get(`/admin/regions/${w.regionId}/partners/${p2}/digest?month=2026-11`)
  t.equal(figureAfter(other.body, 'trajecten vanuit jullie affiches met een volgende stap'), published([e, f]), 'the other partner: its own 2 paths')
  t.not(published([e, f]), 2, 'a true 2 is never shown as itself')
  const third = await coordinator.get(`/admin/regions/${w.regionId}/partners/${p3}/digest?month=2026-11`)
  t.equal(figureAfter(third.body, 'trajecten vanuit jullie affiches met een volgende stap'), 0, 'a conversation and a referral are not a next step')
})
