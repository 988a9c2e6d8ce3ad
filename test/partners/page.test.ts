import t from 'tap'
import type { Kysely } from 'kysely'
import { addDays, localDay } from '../../src/answers/index.ts'
import { cellKey, D, K, publish } from '../../src/answers/cell-key.ts'
import { periodId, periodRange } from '../../src/answers/period-grid.ts'
import type { Database } from '../../src/db/types.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { upsertContactRequest } from '../../src/followup/queries.ts'
import { completePeriods } from '../../src/partners/index.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { buildTestApp, type Fixture, seedPoster } from '../helpers.ts'

/**
 * A partner's own page: who may open it, that every figure on it is the published value of
 * the cell-key table over the records' key sums, the comparison with the region only when
 * three other partners contribute, referrals as counts only (no note, no person), complete
 * periods only, and the partner's share link.
 */

const today = localDay()
const month = completePeriods(today)[0]!
const range = periodRange(month, today)
const inMonth = (day: number) => `${addDays(range.from, day)}T10:00:00.000Z`

/** What the page must show for `n` records whose keys add up to `keys`. */
const expected = (n: number, keys: number) => publish(n, cellKey(keys))

let keySeed = 1
async function answers(db: Kysely<Database>, fixture: Fixture, n: number, options: { themeIds?: number[]; tried?: 'yes' | 'no'; liked?: number; step?: number; at?: string } = {}) {
  const ids: { id: number; key: number }[] = []
  for (let i = 0; i < n; i++) {
    const key = (keySeed = (keySeed * 37 + 11) % 256)
    const row = await db
      .insertInto('responses')
      .values({
        poster_id: fixture.posterId,
        region_id: fixture.regionId,
        partner_id: fixture.partnerId,
        location_id: fixture.locationId,
        activity_id: fixture.activityId,
        created_at: options.at ?? inMonth(i % 20),
        language: 'nl',
        tried_new: options.tried ?? 'yes',
        liked: options.liked ?? null,
        step: options.step ?? 1,
        record_key: key,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const themeId of options.themeIds ?? []) await db.insertInto('response_themes').values({ response_id: row.id, theme_id: themeId, source: 'chosen', matched: null }).execute()
    ids.push({ id: row.id, key })
  }
  return ids
}

async function world(t: { teardown(fn: () => unknown): void }) {
  const ctx = await buildTestApp(t)
  const db = ctx.database.db
  const p1 = await seedPoster(ctx.database)
  const p2 = await seedPoster(ctx.database, { regionId: p1.regionId })
  const p3 = await seedPoster(ctx.database, { regionId: p1.regionId })
  const p4 = await seedPoster(ctx.database, { regionId: p1.regionId })
  const elsewhere = await seedPoster(ctx.database)
  const themes = (await db.selectFrom('themes').select('id').where('region_id', '=', p1.regionId).orderBy('position').execute()).map((row) => row.id)
  let people = 0
  async function signIn(role: 'partner' | 'coordinator' | 'bridge' | 'admin', memberships: { regionIds?: number[]; partnerIds?: number[] }) {
    const email = `${role}-${++people}@example.be`
    await makeUser(db, role, email, memberships)
    const browser = new Browser(ctx.app)
    await browser.signIn(email, testPassword)
    await browser.get('/admin')
    return browser
  }
  return { ...ctx, db, p1, p2, p3, p4, elsewhere, themes, signIn }
}

const pageOf = (f: Fixture, query = '') => `/admin/regions/${f.regionId}/partners/${f.partnerId}${query}`

t.test('a partner member sees their own page with published figures; never another partner’s', async (t) => {
  const w = await world(t)
  const mine = [
    ...(await answers(w.db, w.p1, 9, { themeIds: [w.themes[0]!], tried: 'yes', liked: 5, step: 2 })),
    ...(await answers(w.db, w.p1, 4, { tried: 'no', liked: 2, step: 2 })),
    ...(await answers(w.db, w.p1, 3, { tried: 'no' })),
  ]
  await answers(w.db, w.p1, 7, { at: `${addDays(range.from, -3)}T10:00:00.000Z` }) // the month before: not counted
  await answers(w.db, w.p2, 11, { themeIds: [w.themes[1]!] })
  await w.db.insertInto('poster_scans').values([{ poster_id: w.p1.posterId, day: addDays(range.from, 2), scans: 30 }, { poster_id: w.p1.posterId, day: range.to, scans: 12 }]).execute()

  const member = await w.signIn('partner', { partnerIds: [w.p1.partnerId] })
  const res = await member.get(pageOf(w.p1))
  t.equal(res.statusCode, 200)
  const body = res.body
  const sum = (rows: { key: number }[]) => rows.reduce((a, b) => a + b.key, 0)
  const tile = (label: string) => new RegExp(`<b>(\\d+)</b> ${label}`).exec(body)?.[1]
  t.equal(Number(tile('antwoorden')), expected(mine.length, sum(mine)), 'answers: the published value of 16 records')
  t.equal(Number(tile('probeerden iets nieuws')), expected(9, sum(mine.slice(0, 9))), 'tried something new')
  t.equal(Number(tile('vonden het \\(heel\\) leuk')), expected(9, sum(mine.slice(0, 9))), 'liked (faces 4 and 5)')
  const scans = Number(/<th scope="row">keer gescand<\/th><td>(\d+)<\/td>/.exec(body)?.[1])
  t.ok(Math.abs(scans - 42) <= D, `scans published near 42 (${scans})`)
  t.match(body, `href="${pageOf(w.p1)}?period=${periodId(month)}" aria-current="page"`, 'the latest complete month is the period shown')
  t.match(body, 'Alleen volledige periodes tot en met gisteren.')
  t.match(body, `nooit 1 tot ${K - 1}; kleine aantallen worden 0 of een getal van ${K} tot ${K + D}.`, 'the protection in words, with the cell key’s own numbers')
  t.notMatch(body, 'name="kind"', 'a partner member does not get the name form')
  t.match(body, `<a href="${pageOf(w.p1)}" aria-current="page">Onze partnerpagina</a>`, 'their menu links their page (the current one)')

  for (const [label, url, status] of [
    ['another partner of the region', pageOf(w.p2), 403],
    ['a partner of another region under this region', `/admin/regions/${w.p1.regionId}/partners/${w.elsewhere.partnerId}`, 404],
    ['another region', pageOf(w.elsewhere), 404],
    ['an unknown partner', `/admin/regions/${w.p1.regionId}/partners/99999`, 404],
    ['a malformed id', `/admin/regions/${w.p1.regionId}/partners/1x`, 404],
  ] as const) {
    const other = await member.get(url)
    t.equal(other.statusCode, status, `${label}: ${status}`)
    t.notMatch(other.body, /antwoorden<\/li>/, `${label}: no figures`)
  }
  const bridge = await w.signIn('bridge', { regionIds: [w.p1.regionId] })
  t.equal((await bridge.get(pageOf(w.p1))).statusCode, 403, 'a bridge figure does not open partner pages')
  const coordinator = await w.signIn('coordinator', { regionIds: [w.p1.regionId] })
  const coordinated = await coordinator.get(pageOf(w.p2))
  t.equal(coordinated.statusCode, 200, 'a coordinator opens every partner of the region')
  t.match(coordinated.body, 'name="kind"', 'with the name form')
  t.equal((await coordinator.get(pageOf(w.elsewhere))).statusCode, 404)

  // The same records publish the same numbers on every view.
  t.equal((await member.get(pageOf(w.p1))).body.match(/<b>\d+<\/b> antwoorden/)?.[0], `<b>${tile('antwoorden')}</b> antwoorden`)
})

t.test('small counts are never shown as they are, and only complete periods are counted', async (t) => {
  const w = await world(t)
  await answers(w.db, w.p1, 3, { tried: 'yes' })
  // Yesterday belongs to the running month (or is its last day): not in the page's default period unless that month is complete.
  await answers(w.db, w.p1, 20, { at: `${addDays(today, -1)}T10:00:00.000Z` })
  const member = await w.signIn('partner', { partnerIds: [w.p1.partnerId] })
  const body = (await member.get(pageOf(w.p1))).body
  const shown = Number(/<b>(\d+)<\/b> antwoorden/.exec(body)?.[1])
  t.ok(shown === 0 || (shown >= K && shown <= K + D), `3 answers are published as 0 or ${K} … ${K + D}, got ${shown}`)
  for (const query of ['?period=garbage', `?period=${today.slice(0, 7)}`, '?period=1999-01', '?period=2026-W10']) {
    const res = await member.get(pageOf(w.p1, query))
    t.equal(res.statusCode, 200, `${query}: the page still opens`)
    t.match(res.body, `?period=${periodId(month)}" aria-current="page"`, `${query}: the latest complete month instead (a period not offered is never counted)`)
  }
  t.equal((await member.get(pageOf(w.p1, `?period=${'x'.repeat(40)}`))).statusCode, 400, 'an overlong period is refused')
})

t.test('themes beside the region appear only when at least three other partners contribute', async (t) => {
  const w = await world(t)
  await answers(w.db, w.p1, 12, { themeIds: [w.themes[0]!] })
  await answers(w.db, w.p2, 8, { themeIds: [w.themes[0]!] })
  await answers(w.db, w.p3, 8, { themeIds: [w.themes[1]!] })
  await answers(w.db, w.p4, 8) // answers without a theme do not contribute
  const member = await w.signIn('partner', { partnerIds: [w.p1.partnerId] })
  let body = (await member.get(pageOf(w.p1))).body
  t.match(body, 'Deze vergelijking verschijnt pas als minstens 3 andere partners')
  t.notMatch(body, 'Hele regio')
  await answers(w.db, w.p4, 6, { themeIds: [w.themes[1]!] })
  body = (await member.get(pageOf(w.p1))).body
  t.match(body, '<th scope="col">Hele regio</th>')
  t.notMatch(body, 'verschijnt pas als')
})

t.test('referrals to the partner’s offers: protected counts of what became of them, never a note or a person', async (t) => {
  const w = await world(t)
  const offer = await createOffer(w.db, w.p1.regionId, { title: 'Naaicursus', provider: 'Bib', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'adults', link: null, contact: null, themeIds: [], archived: false, partnerId: w.p1.partnerId })
  const otherOffer = await createOffer(w.db, w.p1.regionId, { title: 'Ander aanbod', provider: 'CVO', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'adults', link: null, contact: null, themeIds: [], archived: false, partnerId: w.p2.partnerId })
  const fates = ['started', 'started', 'completed', 'completed', 'completed', 'stopped', null, null, null, null, null, null] as const
  const keys: Record<string, number[]> = { referred: [], started: [], completed: [], stopped: [], none: [] }
  let i = 0
  for (const fate of fates) {
    const [answer] = await answers(w.db, w.p3, 1)
    await upsertContactRequest(w.db, { response_id: answer!.id, region_id: w.p1.regionId, name: `Persoon ${i}`, channel: 'phone', contact_value: `+3247000${String(i).padStart(4, '0')}`, preferred_language: 'nl', good_moment: 'any', consent_version: 'c'.repeat(64), language: 'nl', created_at: inMonth(0), withdrawal_token_hash: null })
    const request = await w.db.selectFrom('contact_requests').select('id').where('response_id', '=', answer!.id).executeTakeFirstOrThrow()
    const key = (i * 53 + 7) % 256
    const step = (kind: 'referral' | 'started' | 'completed' | 'stopped', offerId: number | null, note: string | null) =>
      w.db.insertInto('path_steps').values({ contact_request_id: request.id, kind, on_day: addDays(range.from, 1 + (i % 5)), offer_id: offerId, note, recorded_by: 1, recorded_at: new Date().toISOString(), record_key: key }).execute()
    await step('referral', offer, `GEHEIME-NOTITIE-${i}`)
    if (fate === 'completed') await step('started', offer, null)
    if (fate !== null) await step(fate, offer, null)
    keys.referred!.push(key)
    if (fate === 'started' || fate === 'completed') keys.started!.push(key)
    if (fate === 'completed') keys.completed!.push(key)
    if (fate === 'stopped') keys.stopped!.push(key)
    if (fate === null) keys.none!.push(key)
    i++
  }
  // A referral to another partner's offer, and one to ours outside the period.
  const [stray] = await answers(w.db, w.p3, 1)
  await upsertContactRequest(w.db, { response_id: stray!.id, region_id: w.p1.regionId, name: 'X', channel: 'phone', contact_value: '+32470999999', preferred_language: 'nl', good_moment: 'any', consent_version: 'c'.repeat(64), language: 'nl', created_at: inMonth(0), withdrawal_token_hash: null })
  const strayRequest = await w.db.selectFrom('contact_requests').select('id').where('response_id', '=', stray!.id).executeTakeFirstOrThrow()
  await w.db.insertInto('path_steps').values([
    { contact_request_id: strayRequest.id, kind: 'referral', on_day: range.from, offer_id: otherOffer, note: null, recorded_by: 1, recorded_at: new Date().toISOString(), record_key: 1 },
    { contact_request_id: strayRequest.id, kind: 'referral', on_day: addDays(range.from, -1), offer_id: offer, note: null, recorded_by: 1, recorded_at: new Date().toISOString(), record_key: 2 },
  ]).execute()

  const member = await w.signIn('partner', { partnerIds: [w.p1.partnerId] })
  const body = (await member.get(pageOf(w.p1))).body
  const tile = (label: string) => Number(new RegExp(`<b>(\\d+)</b> ${label}</li>`).exec(body)?.[1])
  const sum = (list: number[]) => list.reduce((a, b) => a + b, 0)
  t.equal(tile('doorverwezen'), expected(12, sum(keys.referred!)), 'referred: 12 records published')
  t.equal(tile('begonnen'), expected(5, sum(keys.started!)), 'started (completed ones included)')
  t.equal(tile('afgerond'), expected(3, sum(keys.completed!)), `completed: 3, published as 0 or ${K} … ${K + D}`)
  t.ok(tile('afgerond') === 0 || (tile('afgerond') >= K && tile('afgerond') <= K + D))
  t.equal(tile('gestopt zonder te beginnen'), expected(1, sum(keys.stopped!)))
  t.equal(tile('nog geen nieuws'), expected(6, sum(keys.none!)))
  t.notMatch(body, /GEHEIME-NOTITIE|Persoon \d|\+3247/, 'no note, name or number on the partner page')
  const other = await w.signIn('partner', { partnerIds: [w.p2.partnerId] })
  const theirs = (await other.get(pageOf(w.p2))).body
  const theirReferrals = Number(/<b>(\d+)<\/b> doorverwezen/.exec(theirs)?.[1])
  t.ok(theirReferrals === 0 || (theirReferrals >= K && theirReferrals <= K + D), `the other partner sees only its own offer’s one referral (0 or ${K} … ${K + D})`)

  const noOffers = (await (await w.signIn('partner', { partnerIds: [w.p4.partnerId] })).get(pageOf(w.p4))).body
  t.match(noOffers, 'Er staat nog geen aanbod van jullie in de lijst van de regio.')
})

t.test('a share link per partner: made by its members, opens that page only, revoked by its own partner only', async (t) => {
  const w = await world(t)
  await answers(w.db, w.p1, 14, { tried: 'yes', themeIds: [w.themes[0]!] })
  const member = await w.signIn('partner', { partnerIds: [w.p1.partnerId] })
  const page = await member.get(pageOf(w.p1))
  const answersShown = /<b>(\d+)<\/b> antwoorden/.exec(page.body)?.[1]
  const made = await member.post(`${pageOf(w.p1)}/share`, {})
  t.equal(made.statusCode, 200)
  const link = /<span class="link">([^<]+)<\/span>/.exec(made.body)?.[1]
  t.ok(link, 'the new link is shown once')
  const token = new URL(link!).pathname.split('/').pop()!
  t.match(new URL(link!).pathname, /^\/r\/p\/[\w-]{43}$/)

  const visitor = await w.app.inject({ method: 'GET', url: `/r/p/${token}` })
  t.equal(visitor.statusCode, 200)
  t.equal(visitor.headers['referrer-policy'], 'no-referrer')
  t.match(visitor.body, `<b>${answersShown}</b> antwoorden`, 'the same protected numbers as the signed-in page')
  t.notMatch(visitor.body, /<form|_csrf|name="kind"/, 'read-only: no form, no share links')
  t.equal((await w.app.inject({ method: 'GET', url: `/r/${token}` })).statusCode, 404, 'a partner’s link does not open the region’s dashboard')
  t.equal((await w.app.inject({ method: 'GET', url: `/r/p/${'A'.repeat(43)}` })).statusCode, 404)
  t.equal((await w.app.inject({ method: 'GET', url: '/r/p/kort' })).statusCode, 404)
  const en = await w.app.inject({ method: 'GET', url: `/r/p/${token}?lang=en` })
  t.match(en.body, 'What your posters collected in')

  const linkId = (await w.db.selectFrom('share_links').select('id').where('partner_id', '=', w.p1.partnerId).executeTakeFirstOrThrow()).id
  const audits = await w.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'like', 'share_link.%').execute()
  t.match(audits, [{ action: 'share_link.create', detail: JSON.stringify({ partnerId: w.p1.partnerId }) }])

  const stranger = await w.signIn('partner', { partnerIds: [w.p2.partnerId] })
  t.equal((await stranger.post(`${pageOf(w.p1)}/share/${linkId}/revoke`, {})).statusCode, 403, 'another partner’s member may not')
  await stranger.get(pageOf(w.p2))
  t.equal((await stranger.post(`${pageOf(w.p2)}/share/${linkId}/revoke`, {})).statusCode, 404, 'nor through their own page')
  t.equal((await w.app.inject({ method: 'GET', url: `/r/p/${token}` })).statusCode, 200, 'still open')
  await member.get(pageOf(w.p1))
  const revoked = await member.post(`${pageOf(w.p1)}/share/${linkId}/revoke`, {})
  t.equal(revoked.statusCode, 303)
  t.equal(revoked.headers.location, `${pageOf(w.p1)}?done=partner.share_revoked`)
  t.equal((await w.app.inject({ method: 'GET', url: `/r/p/${token}` })).statusCode, 404, 'revoked: the ordinary 404')
  t.match((await member.get(revoked.headers.location as string)).body, 'De link werkt niet meer.')
})

t.test('the coordinator’s name form on the partner page, and an offer naming a partner of another region', async (t) => {
  const w = await world(t)
  const coordinator = await w.signIn('coordinator', { regionIds: [w.p1.regionId] })
  await coordinator.get(pageOf(w.p1))
  const refused = await coordinator.post(pageOf(w.p1), { name: '', kind: 'library' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, 'id="f-name-error"')
  t.match(refused.body, /<b>\d+<\/b> antwoorden/, 'the page with its figures again')
  await coordinator.get(`/admin/regions/${w.p1.regionId}/offers/new`)
  const offer = await coordinator.post(`/admin/regions/${w.p1.regionId}/offers`, { title: 'Cursus', provider: 'CVO', partner_id: String(w.elsewhere.partnerId), languages: 'nl', text_language: 'nl', audience: 'all' })
  t.equal(offer.statusCode, 422)
  t.match(offer.body, 'id="f-partner_id-error"')
  t.equal((await w.db.selectFrom('offers').select('id').execute()).length, 0, 'nothing stored')
  await coordinator.get(`/admin/regions/${w.p1.regionId}/offers/new`)
  const ok = await coordinator.post(`/admin/regions/${w.p1.regionId}/offers`, { title: 'Cursus', provider: 'CVO', partner_id: String(w.p2.partnerId), languages: 'nl', text_language: 'nl', audience: 'all' })
  t.equal(ok.statusCode, 303)
  t.equal((await w.db.selectFrom('offers').select('partner_id').executeTakeFirstOrThrow()).partner_id, w.p2.partnerId)
})
