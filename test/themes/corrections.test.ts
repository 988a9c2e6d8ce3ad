import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/types.ts'
import { applyStepTwo, classify, compileThemes, readRollupState, rebuildRollups, storeTextThemes } from '../../src/answers/index.ts'
import { listVisibleThemes } from '../../src/themes/queries.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { buildWorld, rollupSnapshot, storeAnswer, type World } from '../dashboard/world.ts'
import { localDayOf } from '../dashboard/dataset.ts'
import { publish } from '../../src/answers/cell-key.ts'
import { dayNumber, periodOf, periodRange } from '../../src/answers/period-grid.ts'

/**
 * The free-text page (/admin/regions/:regionId/texts): which texts it lists, how a
 * coordinator's correction moves a response's themes and the dashboard's numbers (and
 * nothing else), and what bad input gets.
 */

const ago = (days: number, hour = 10) => {
  const at = new Date(Date.now() - days * 86_400_000)
  at.setUTCHours(hour, 0, 0, 0)
  return at.toISOString()
}

/** An answer with free text, classified as step 2 does it (text themes and rollups in one transaction). */
async function answer(db: Kysely<Database>, world: World, options: { text?: string | null; chosen?: string[]; daysAgo?: number; poster?: number }): Promise<number> {
  const slug = new Map(world.themes.map((theme) => [theme.slug, theme.id]))
  const id = await storeAnswer(db, world, {
    poster: world.posters[options.poster ?? 0]!,
    createdAt: ago(options.daysAgo ?? 2),
    triedNew: 'yes',
    step2: { liked: 4, themeIds: (options.chosen ?? []).map((s) => slug.get(s)!), freeText: options.text ?? null },
  })
  if (options.text) {
    const matcher = compileThemes(await listVisibleThemes(db, world.regionId, 'general'))
    await db.transaction().execute(async (trx) => {
      const before = (await readRollupState(trx, id))!
      await storeTextThemes(trx, id, classify(options.text!, matcher))
      await applyStepTwo(trx, before, (await readRollupState(trx, id))!)
    })
  }
  return id
}

function listedIds(html: string): number[] {
  return [...html.matchAll(/id="text-(\d+)"/g)].map((match) => Number(match[1])).sort((a, b) => a - b)
}

/** The number the dashboard's theme table shows for a theme ('' when the theme is not ranked). */
/**
 * A theme's true count in the dashboard's period (the quarter that holds yesterday, up to
 * yesterday) and what the page must publish for it: publish() of that count and its
 * answers' record keys. A published 0 is not listed, so it reads as ''.
 */
async function themeFigure(db: Kysely<Database>, world: World, slug: string): Promise<{ count: number; shown: string }> {
  const day = localDayOf(new Date().toISOString())
  const yesterday = dayNumber(day) - 1
  const range = periodRange(periodOf('quarter', yesterday), day)
  const themeId = world.themes.find((theme) => theme.slug === slug)!.id
  const rows = await db
    .selectFrom('response_themes')
    .innerJoin('responses', 'responses.id', 'response_themes.response_id')
    .select(['responses.created_at', 'responses.record_key'])
    .where('response_themes.theme_id', '=', themeId)
    .where('responses.region_id', '=', world.regionId)
    .execute()
  const inside = rows.filter((row) => localDayOf(String(row.created_at)) >= range.from && localDayOf(String(row.created_at)) <= range.to)
  const published = publish(inside.length, inside.reduce((sum, row) => sum + row.record_key, 0) % 256)
  return { count: inside.length, shown: published === 0 ? '' : String(published) }
}

function rankedCount(html: string, label: string): string {
  const match = new RegExp(`<tr><td>${label}</td><td class="n">([^<]+)</td>`).exec(html)
  return match ? match[1]! : ''
}

async function themeRows(db: Kysely<Database>, responseId: number) {
  const rows = await db.selectFrom('response_themes').select(['theme_id', 'source', 'matched']).where('response_id', '=', responseId).orderBy('theme_id').execute()
  return rows.map((row) => ({ ...row, theme_id: Number(row.theme_id) }))
}

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const other = await buildWorld(db, { k: 5 })
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('coord@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  const theme = (slug: string) => world.themes.find((row) => row.slug === slug)!.id
  return { app, db, world, other, coordinator, theme }
}

t.test('the list shows exactly the unclassified texts a coordinator may see', async (t) => {
  const { app, db, world, other, coordinator } = await setup(t)
  const classified = await answer(db, world, { text: 'Ik wil leren naaien' })
  const plain = await answer(db, world, { text: 'schaken met de buren', daysAgo: 1 })
  const withChoice = await answer(db, world, { text: 'schaken en dammen', chosen: ['talen'], daysAgo: 3 })
  await answer(db, world, { text: null, chosen: ['digitaal'] })
  const hidden = await answer(db, world, { text: 'schaken in het geheim' })
  await moderate(db, world.regionId, hidden, 1, { action: 'hide' })
  const redacted = await answer(db, world, { text: 'Jan Peeters wil beter schaken, bel 0474 12 34 56' })
  await moderate(db, world.regionId, redacted, 1, { action: 'redact', text: '[naam] wil beter schaken, bel 0474 12 34 56' })
  const erased = await answer(db, world, { text: 'schaken op vrijdag' })
  await db.updateTable('responses').set({ free_text: null }).where('id', '=', erased).execute()
  const old = await answer(db, world, { text: 'schaken vroeger', daysAgo: 200 })
  // The keyword matches the theme the person also ticked: stored as their choice, yet placed.
  const matchedChoice = await answer(db, world, { text: 'beter met de computer', chosen: ['digitaal'], daysAgo: 4 })
  await answer(db, other, { text: 'schaken in een andere regio' })

  const page = await coordinator.get(`/admin/regions/${world.regionId}/texts`)
  t.equal(page.statusCode, 200)
  t.same(listedIds(page.body), [plain, withChoice, redacted].sort((a, b) => a - b), 'unclassified texts of this quarter: not the classified, hidden, erased, old or other-region ones')
  t.match(page.body, '[naam] wil beter schaken', 'the redacted copy is shown')
  t.notMatch(page.body, 'Jan Peeters', 'never the original of a redacted text')
  t.match(page.body, '[tel.]', 'phone numbers are masked')
  t.notMatch(page.body, '0474 12 34 56')
  t.notMatch(page.body, 'in het geheim', 'a hidden text is not shown')
  t.notMatch(page.body, 'andere regio')
  t.match(page.body, 'zelf gekozen door de persoon', "the person's own choice is shown, with why")
  t.match(page.body, /Woorden die vaak terugkomen[^]*<b>schaken<\/b>/, 'the word that keeps coming back is suggested as a keyword')
  t.match(page.body, `href="/admin/regions/${world.regionId}/themes/`, 'with links to the themes’ keyword pages')
  t.ok(page.body.indexOf(`id="text-${plain}"`) < page.body.indexOf(`id="text-${withChoice}"`), 'newest first')

  const all = await coordinator.get(`/admin/regions/${world.regionId}/texts?show=all`)
  t.same(listedIds(all.body), [classified, plain, withChoice, redacted, matchedChoice].sort((a, b) => a - b), 'all texts of the period')
  t.match(all.body, 'gevonden woord: ‘naaien’', 'a classification says why')
  t.match(all.body, 'zelf gekozen door de persoon, gevonden woord: ‘computer’', 'also when the person ticked the same theme')
  const year = await coordinator.get(`/admin/regions/${world.regionId}/texts?period=year`)
  t.ok(listedIds(year.body).includes(old), 'a wider period lists older texts')
  const english = await coordinator.get(`/admin/regions/${world.regionId}/texts?show=all&lang=en`)
  t.match(english.body, 'matched: ‘naaien’')
  t.match(english.body, 'Free text and themes')

  // A keyword added later: the texts it places leave the list, and say what it would count.
  const hobby = world.themes.find((theme) => theme.slug === 'samenleving-erfgoed')!.id
  await db.updateTable('themes').set({ keywords: JSON.stringify({ nl: ['schaken'] }) }).where('id', '=', hobby).execute()
  const afterKeyword = await coordinator.get(`/admin/regions/${world.regionId}/texts`)
  t.same(listedIds(afterKeyword.body), [], 'every text the new keyword places leaves the unclassified list')
  const placedNow = await coordinator.get(`/admin/regions/${world.regionId}/texts?show=all&lang=nl`)
  t.match(placedNow.body, /De trefwoorden van nu vinden ook[^<]*Samenleving en erfgoed \(gevonden woord: ‘schaken’\)/, 'and the full list says what the keywords find now')

  const region = await coordinator.get(`/admin/regions/${world.regionId}`)
  for (const href of [`/admin/dashboard/${world.regionId}`, `/admin/regions/${world.regionId}/texts`, `/admin/regions/${world.regionId}/updates`, `/admin/dashboard/${world.regionId}/share`, `/admin/regions/${world.regionId}/moderation`]) {
    t.match(region.body, `href="${href}"`, `the region page links to ${href}`)
  }
  await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [world.partners.a] })
  const member = new Browser(app)
  await member.signIn('lid@example.be', testPassword)
  const memberRegion = await member.get(`/admin/regions/${world.regionId}`)
  t.match(memberRegion.body, `href="/admin/dashboard/${world.regionId}"`, "a partner member's menu has the dashboard")
  t.notMatch(memberRegion.body, '/texts"', 'but not the texts page')
  t.notMatch(memberRegion.body, '/share"', 'nor share links')
  t.equal((await member.get(`/admin/regions/${world.regionId}/texts`)).statusCode, 403)
})

t.test('a correction moves the themes and the dashboard by exactly that answer, and the rollups stay true', async (t) => {
  const { db, world, coordinator, theme } = await setup(t)
  for (let i = 0; i < 6; i++) await answer(db, world, { chosen: ['digitaal'], daysAgo: 1 + (i % 5) })
  for (let i = 0; i < 5; i++) await answer(db, world, { chosen: ['ambacht-maken'], daysAgo: 1 + (i % 5) })
  const naaien = await answer(db, world, { text: 'Ik wil leren naaien' })
  const schaken = await answer(db, world, { text: 'schaken met de buren' })
  const withChoice = await answer(db, world, { text: 'schaken en dammen', chosen: ['talen'] })

  const dashboard = async () => (await coordinator.get(`/admin/dashboard/${world.regionId}?period=quarter`)).body
  const first = await dashboard()
  {
    const figure = await themeFigure(db, world, 'digitaal')
    t.equal(figure.count, 6, 'Digitale vaardigheden')
    t.equal(rankedCount(first, 'Digitale vaardigheden'), figure.shown, 'Digitale vaardigheden: the page publishes that count')
  }
  {
    const figure = await themeFigure(db, world, 'ambacht-maken')
    t.equal(figure.count, 6, 'five chosen and one from the text')
    t.equal(rankedCount(first, 'Ambacht en maken'), figure.shown, 'Ambacht en maken: the page publishes that count')
  }

  const texts = `/admin/regions/${world.regionId}/texts`
  await coordinator.get(texts)
  let res = await coordinator.post(`${texts}/${schaken}/themes`, { themes: [String(theme('digitaal')), String(theme('natuur-tuin'))], show: 'unclassified', period: 'quarter' })
  t.equal(res.statusCode, 303)
  t.match(String(res.headers.location), `${texts}?show=unclassified&period=quarter&saved=${schaken}#text-${schaken}`)
  t.same(await themeRows(db, schaken), [
    { theme_id: theme('digitaal'), source: 'corrected', matched: null },
    { theme_id: theme('natuur-tuin'), source: 'corrected', matched: null },
  ].sort((a, b) => a.theme_id - b.theme_id))
  let now = await dashboard()
  {
    const figure = await themeFigure(db, world, 'digitaal')
    t.equal(figure.count, 7, 'one more answer for the theme set')
    t.equal(rankedCount(now, 'Digitale vaardigheden'), figure.shown, 'Digitale vaardigheden: the page publishes that count')
  }
  {
    const figure = await themeFigure(db, world, 'ambacht-maken')
    t.equal(figure.count, 6, 'the other themes did not move')
    t.equal(rankedCount(now, 'Ambacht en maken'), figure.shown, 'Ambacht en maken: the page publishes that count')
  }

  // "Not about any theme": the text match goes, the answer leaves that theme's count.
  await coordinator.get(texts)
  res = await coordinator.post(`${texts}/${naaien}/themes`, {})
  t.equal(res.statusCode, 303)
  t.same(await themeRows(db, naaien), [])
  now = await dashboard()
  {
    const figure = await themeFigure(db, world, 'ambacht-maken')
    t.equal(figure.count, 5, 'exactly one answer less')
    t.equal(rankedCount(now, 'Ambacht en maken'), figure.shown, 'Ambacht en maken: the page publishes that count')
  }

  // The person's own choice stays; the coordinator adds to it.
  await coordinator.get(texts)
  await coordinator.post(`${texts}/${withChoice}/themes`, { themes: String(theme('digitaal')) })
  t.same(await themeRows(db, withChoice), [
    { theme_id: theme('talen'), source: 'chosen', matched: null },
    { theme_id: theme('digitaal'), source: 'corrected', matched: null },
  ].sort((a, b) => a.theme_id - b.theme_id))
  now = await dashboard()
  {
    const figure = await themeFigure(db, world, 'digitaal')
    t.equal(figure.count, 8, 'Digitale vaardigheden')
    t.equal(rankedCount(now, 'Digitale vaardigheden'), figure.shown, 'Digitale vaardigheden: the page publishes that count')
  }

  // A second correction replaces the first one.
  await coordinator.get(`${texts}?show=all`)
  await coordinator.post(`${texts}/${schaken}/themes`, { themes: String(theme('natuur-tuin')) })
  now = await dashboard()
  {
    const figure = await themeFigure(db, world, 'digitaal')
    t.equal(figure.count, 7, 'the first correction is undone')
    t.equal(rankedCount(now, 'Digitale vaardigheden'), figure.shown, 'Digitale vaardigheden: the page publishes that count')
  }

  // A correction that confirms a match keeps the word that explains it.
  const breien = await answer(db, world, { text: 'breien en haken' })
  await coordinator.get(`${texts}?show=all`)
  await coordinator.post(`${texts}/${breien}/themes`, { themes: [String(theme('ambacht-maken'))] })
  t.same(await themeRows(db, breien), [{ theme_id: theme('ambacht-maken'), source: 'corrected', matched: 'breien' }])

  const after = await coordinator.get(texts)
  t.notOk(listedIds(after.body).includes(schaken), 'a corrected text leaves the unclassified list')
  t.notOk(listedIds(after.body).includes(withChoice))
  const all = await coordinator.get(`${texts}?show=all`)
  t.match(all.body, 'ingesteld door een coördinator')
  t.match(all.body, 'thema’s nagekeken op')

  const reviews = await db.selectFrom('response_theme_reviews').select('response_id').orderBy('response_id').execute()
  t.same(reviews.map((row) => Number(row.response_id)), [naaien, schaken, withChoice, breien].sort((a, b) => a - b))
  const audits = await db.selectFrom('audit_log').selectAll().where('action', '=', 'response.themes.correct').orderBy('id').execute()
  t.equal(audits.length, 5, 'every correction is in the audit log')
  t.match(audits[0], { resource_type: 'response', resource_id: schaken, region_id: world.regionId })
  t.same(JSON.parse(audits[0]!.detail!), { before: [], after: [theme('digitaal'), theme('natuur-tuin')].sort((a, b) => a - b) })
  t.notMatch(audits.map((row) => row.detail).join(' '), 'schaken', 'never the text itself')

  const live = await rollupSnapshot(db, world.regionId)
  await rebuildRollups(db, world.regionId)
  t.same(live, await rollupSnapshot(db, world.regionId), 'the rollups equal a recomputation from the raw rows')
})

t.test('bad input gets the page with a message and changes nothing', async (t) => {
  const { app, db, world, other, coordinator, theme } = await setup(t)
  const schaken = await answer(db, world, { text: 'schaken met de buren' })
  const hidden = await answer(db, world, { text: 'schaken in het geheim' })
  await moderate(db, world.regionId, hidden, 1, { action: 'hide' })
  const erased = await answer(db, world, { text: 'schaken op vrijdag' })
  await db.updateTable('responses').set({ free_text: null }).where('id', '=', erased).execute()
  const elsewhere = await answer(db, other, { text: 'schaken elders' })
  const otherTheme = other.themes[0]!.id

  const state = async () =>
    JSON.stringify([
      await db.selectFrom('response_themes').selectAll().orderBy('response_id').orderBy('theme_id').execute(),
      await db.selectFrom('response_theme_reviews').selectAll().execute(),
      await rollupSnapshot(db, world.regionId),
      await rollupSnapshot(db, other.regionId),
    ])
  const before = await state()
  const texts = `/admin/regions/${world.regionId}/texts`
  const cases: [string, string, Record<string, string | string[]>, number, string][] = [
    ['an unknown theme', `${texts}/${schaken}/themes`, { themes: '999999' }, 422, 'Kies alleen thema’s uit de lijst'],
    ["another region's theme", `${texts}/${schaken}/themes`, { themes: String(otherTheme) }, 422, 'Kies alleen thema’s uit de lijst'],
    ['not a number', `${texts}/${schaken}/themes`, { themes: 'digitaal' }, 422, 'Kies alleen thema’s uit de lijst'],
    ['four themes', `${texts}/${schaken}/themes`, { themes: ['digitaal', 'talen', 'natuur-tuin', 'koken-voeding'].map((slug) => String(theme(slug))) }, 422, 'hoogstens 3'],
    ["another region's answer", `${texts}/${elsewhere}/themes`, { themes: String(theme('digitaal')) }, 404, 'bestaat niet (meer) in deze regio'],
    ['an erased text', `${texts}/${erased}/themes`, { themes: String(theme('digitaal')) }, 404, 'bestaat niet (meer) in deze regio'],
    ['a hidden text', `${texts}/${hidden}/themes`, { themes: String(theme('digitaal')) }, 404, 'bestaat niet (meer) in deze regio'],
    ['an answer that never existed', `${texts}/987654/themes`, { themes: String(theme('digitaal')) }, 404, 'bestaat niet (meer) in deze regio'],
  ]
  for (const [name, url, fields, status, message] of cases) {
    await coordinator.get(texts)
    const res = await coordinator.post(url, fields)
    t.equal(res.statusCode, status, name)
    t.match(res.body, message, `${name}: the page says what is wrong`)
    t.match(res.body, 'Er is niets veranderd', `${name}: and that nothing changed`)
    t.equal(await state(), before, `${name}: nothing changed`)
  }
  // The failed form stays open with what was ticked.
  await coordinator.get(texts)
  const failed = await coordinator.post(`${texts}/${schaken}/themes`, { themes: ['digitaal', 'talen', 'natuur-tuin', 'koken-voeding'].map((slug) => String(theme(slug))) })
  t.match(failed.body, new RegExp(`id="text-${schaken}" class="card failed"[^]*?<details open>`))
  t.match(failed.body, new RegExp(`value="${theme('koken-voeding')}" checked`))

  await coordinator.get(texts)
  const english = await coordinator.post(`${texts}/${schaken}/themes?lang=en`, { themes: '999999' })
  t.match(english.body, 'Choose only themes from the list. Nothing was changed.')

  await coordinator.get(texts)
  for (const bad of ['abc', '0', '99999999999']) {
    const res = await coordinator.post(`${texts}/${bad}/themes`, { themes: String(theme('digitaal')) })
    t.equal(res.statusCode, 404, `response id ${bad}: the not-found page, not a 500`)
  }
  const noToken = await app.inject({ method: 'POST', url: `${texts}/${schaken}/themes`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: coordinator.cookieHeader }, payload: `themes=${theme('digitaal')}` })
  t.equal(noToken.statusCode, 403, 'without the CSRF token: refused')
  t.equal(await state(), before, 'nothing changed at all')

  for (const [query, message] of [
    ['show=everything', 'Kies welke teksten je wilt zien'],
    ['period=decade', 'Kies een periode uit de lijst'],
    [`show=${'x'.repeat(40)}`, 'Deze lijst bestaat niet zo'],
  ] as const) {
    const res = await coordinator.get(`${texts}?lang=nl&${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.body, message, query)
    t.ok(listedIds(res.body).includes(schaken), `${query}: the list is still shown`)
  }
})

t.test('keyword suggestions: words common in unplaced texts, not words common everywhere', async (t) => {
  const { keywordSuggestions } = await import('../../src/themes/corrections.ts')
  const unplaced = ['schaken op zaterdag', 'schaken met opa', 'zaterdag dammen', 'bel 0474 12 34 56 voor schaken']
  const placed = ['naaien op zaterdag', 'breien op zaterdag', 'koken']
  t.same(keywordSuggestions(unplaced, placed), [{ word: 'schaken', count: 3 }], '"zaterdag" is as common where keywords did fit; digits never surface')
  t.same(keywordSuggestions(['dammen', 'schaken'], []), [], 'a word in one text only is no pattern yet')
})
