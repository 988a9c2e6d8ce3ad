import t from 'tap'
import type { Kysely } from 'kysely'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import type { Database } from '../../src/db/types.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { addRegionUpdate } from '../../src/updates/queries.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { cellKey, K, publish } from '../../src/answers/cell-key.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { signedIn } from './people.ts'
import { buildWorld, storeAnswer, type World } from './world.ts'

/**
 * "In their own words" on the region dashboard: approved quotes only, masked, newest first,
 * only in slices of at least k answers, a partner member's own posters only, never on a
 * share link, the public page or in the CSV.
 */

async function quoteApp(t: Parameters<typeof buildTestApp>[0]) {
  // The clock pinned to the data set's last day.
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const moderator = await makeUser(db, 'coordinator', 'moderator@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('moderator@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  return { app, db, world, moderator, coordinator }
}

async function quote(
  db: Kysely<Database>,
  world: World,
  moderator: number,
  options: { text: string; at: string; poster?: World['posters'][number]; decision?: 'approve' | 'hide' | 'pending' | { redact: string }; themeSlugs?: string[] },
): Promise<number> {
  const themeIds = (options.themeSlugs ?? []).map((slug) => world.themes.find((theme) => theme.slug === slug)!.id)
  const id = await storeAnswer(db, world, { poster: options.poster ?? world.posters[0]!, createdAt: options.at, triedNew: 'yes', step2: { liked: 5, ageBand: '25_44', freeText: options.text, themeIds } })
  const decision = options.decision ?? 'approve'
  if (decision === 'approve') await moderate(db, world.regionId, id, moderator, { action: 'approve' })
  else if (decision === 'hide') await moderate(db, world.regionId, id, moderator, { action: 'hide' })
  else if (decision !== 'pending') await moderate(db, world.regionId, id, moderator, { action: 'redact', text: decision.redact })
  return id
}

function voices(html: string): string {
  const match = /<section class="voices"[^]*?<\/section>/.exec(html)
  if (!match) throw new Error('no quotes section on the page')
  return match[0]
}

const quotesIn = (section: string) => [...section.matchAll(/<blockquote lang="\w+"><p>([^<]*)<\/p><\/blockquote>(?:<p class="meta">([^<]*)<\/p>)?/g)].map((match) => ({ text: match[1]!, meta: match[2] ?? '' }))

t.test('only approved quotes, masked, newest first, at most six, with their themes and month', async (t) => {
  const { db, world, moderator, coordinator } = await quoteApp(t)
  for (let day = 10; day <= 16; day++) await quote(db, world, moderator, { text: `citaat ${day}`, at: `2026-11-${day}T10:00:00.000Z`, themeSlugs: day === 16 ? ['digitaal'] : [] })
  await quote(db, world, moderator, { text: 'bel me op 0474 12 34 56 of jan@example.be', at: '2026-11-17T10:00:00.000Z' })
  await quote(db, world, moderator, { text: 'Ik ben Jan Peeters en ik wil solderen', at: '2026-11-18T10:00:00.000Z', decision: { redact: 'Ik ben [naam] en ik wil solderen' } })
  await quote(db, world, moderator, { text: 'nog niet nagekeken', at: '2026-11-19T10:00:00.000Z', decision: 'pending' })
  await quote(db, world, moderator, { text: 'verborgen door de moderator', at: '2026-11-20T10:00:00.000Z', decision: 'hide' })

  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11`)
  t.equal(page.statusCode, 200)
  const section = voices(page.body)
  t.match(section, 'In hun eigen woorden')
  const quotes = quotesIn(section)
  t.same(
    quotes.map((q) => q.text),
    ['Ik ben [naam] en ik wil solderen', 'bel me op [tel.] of [e-mail]', 'citaat 16', 'citaat 15', 'citaat 14', 'citaat 13'],
    'the six newest approved quotes, newest first, redacted and masked',
  )
  t.notMatch(page.body, 'Jan Peeters', 'never the original of a redacted quote')
  t.notMatch(page.body, '0474', 'nor a phone number')
  t.notMatch(page.body, 'jan@example.be', 'nor an e-mail address')
  t.notMatch(page.body, 'nog niet nagekeken', 'a quote waiting for moderation is not shown')
  t.notMatch(page.body, 'verborgen door de moderator', 'a hidden one neither')
  t.notMatch(page.body, 'Ik wil leren werken met de computer', 'free text nobody approved stays off the page')
  t.equal(quotes[2]!.meta, 'Digitale vaardigheden · november 2026', 'a quote shows its themes and month')
  t.equal(quotes[3]!.meta, 'november 2026')
  t.notMatch(section, /\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}/, 'never the day or the time')
  t.notMatch(section, /Repair Café|Codeclub|Bib Hasselt|Buurthuis Genk|Bibliotheek Hasselt|25-44/, 'nor the activity, location, partner or age band')

  const english = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&lang=en`)
  t.match(voices(english.body), 'In their own words')
  t.match(voices(english.body), 'Digital skills · November 2026')

  const print = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&print=1`)
  t.equal(print.statusCode, 200)
  t.notMatch(print.body, '<blockquote', 'the print view has no quotes: paper travels as far as a share link')
  t.notMatch(print.body, 'In hun eigen woorden')

  const csv = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`)
  t.equal(csv.statusCode, 200)
  t.notMatch(csv.body, 'citaat', 'the CSV has no quotes')
})

t.test('quotes of the whole region in whole months, never narrowed by a filter, never for a short period', async (t) => {
  const { db, world, moderator, coordinator } = await quoteApp(t)
  // A location with three answers, one of them an approved quote.
  const small = await createLocation(db, world.regionId, { name: 'Kerk Bree' })
  const activity = await createActivity(db, { partnerId: world.partners.a, title: 'Leesclub', audience: 'adults' })
  const poster = await createPoster(db, { activityId: activity, locationId: small })
  const smallPoster = { id: poster.id, partnerId: world.partners.a, locationId: small, activityId: activity }
  await quote(db, world, moderator, { text: 'klein maar fijn', at: '2026-11-26T10:00:00.000Z', poster: smallPoster })
  for (let i = 0; i < 2; i++) await storeAnswer(db, world, { poster: smallPoster, createdAt: `2026-11-2${i}T10:00:00.000Z`, triedNew: 'yes' })
  await quote(db, world, moderator, { text: 'citaat bij partner a', at: '2026-11-25T10:00:00.000Z', poster: world.posters[0]! })
  await quote(db, world, moderator, { text: 'citaat bij partner b', at: '2026-11-24T10:00:00.000Z', poster: world.posters[3]! })
  // September: the data set starts in October, so this month has a single answer in the slice.
  await quote(db, world, moderator, { text: 'citaat uit september', at: '2026-09-10T10:00:00.000Z', poster: world.posters[3]! })

  const region = quotesIn(voices((await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11`)).body)).map((q) => q.text)
  t.same(region, ['klein maar fijn', 'citaat bij partner a', 'citaat bij partner b'], 'the whole region holds enough answers')

  // Filters never narrow the quotes (issue 15): the block says so and lists none.
  for (const filter of [`location=${small}`, `partner=${world.partners.b}`, 'audience=adults', 'age=65_plus', `activity=${activity}`]) {
    const filtered = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&${filter}`)
    t.equal(filtered.statusCode, 200)
    t.same(quotesIn(voices(filtered.body)), [], `${filter}: no quote`)
    t.match(voices(filtered.body), 'Citaten staan alleen bij de hele regio: zonder filters.')
  }
  const short = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-W47`)
  t.same(quotesIn(voices(short.body)), [], 'a week: no quote')
  t.match(voices(short.body), 'minstens een maand')

  // The quarter Q3 + Q4 to date: the year to date reads the whole months January to November (up to yesterday).
  const quarterPage = voices((await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-td`)).body)
  t.match(quarterPage, 'Citaten volgen hele kalendermaanden: januari 2026 – november 2026.')
  const quarter = quotesIn(quarterPage)
  t.same(quarter.map((q) => q.text), ['klein maar fijn', 'citaat bij partner a', 'citaat bij partner b', 'citaat uit september'])
  t.equal(quarter[2]!.meta, 'november 2026', 'a month with enough answers is named')
  // September's one answer publishes 0 or K…K+D, by its record key: the month is named only
  // when its published count reaches K (the gate reads published counts, like every figure).
  const september = await db
    .selectFrom('rollup_region_days')
    .select([(eb) => eb.fn.sum<string>('responses').as('n'), (eb) => eb.fn.sum<string>('responses_key').as('key')])
    .where('region_id', '=', world.regionId)
    .where('day', '>=', '2026-09-01')
    .where('day', '<=', '2026-09-30')
    .executeTakeFirstOrThrow()
  t.equal(Number(september.n), 1, 'September holds one answer')
  const septemberPublished = publish(1, cellKey(september.key))
  t.equal(quarter[3]!.meta, septemberPublished >= K ? 'september 2026' : '', `a month is named only when its published count reaches k (${septemberPublished})`)
})

t.test("a partner member sees only quotes from their own posters; share links and the public page show none", async (t) => {
  const { app, db, world, moderator } = await quoteApp(t)
  const memberA = await signedIn(app, db, 'partner', { partnerIds: [world.partners.a] })
  const memberB = await signedIn(app, db, 'partner', { partnerIds: [world.partners.b] })
  await quote(db, world, moderator, { text: 'zebravinken bij partner a', at: '2026-11-25T10:00:00.000Z', poster: world.posters[0]! })
  await quote(db, world, moderator, { text: 'zebravinken bij partner b', at: '2026-11-24T10:00:00.000Z', poster: world.posters[3]! })

  const a = quotesIn(voices((await memberA.get(`/admin/dashboard/${world.regionId}?period=2026-11`)).body)).map((q) => q.text)
  t.same(a, ['zebravinken bij partner a'])
  const b = await memberB.get(`/admin/dashboard/${world.regionId}?period=2026-11`)
  t.same(quotesIn(voices(b.body)).map((q) => q.text), ['zebravinken bij partner b'])
  t.notMatch(b.body, 'partner a')

  const { token } = await createShareLink(db, world.regionId, moderator)
  for (const period of ['4w', 'quarter', 'year']) {
    const shared = await app.inject({ url: `/r/${token}?period=${period}` })
    t.equal(shared.statusCode, 200)
    t.notMatch(shared.body, 'zebravinken', `the share link (${period}) shows no quote`)
    t.notMatch(shared.body, 'In hun eigen woorden')
  }
  const print = await app.inject({ url: `/r/${token}?period=2026-11&print=1` })
  t.notMatch(print.body, 'zebravinken', 'nor its print view')
  await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes[0]!.id, body: 'We starten een schaakclub.', userId: moderator })
  const slug = (await db.selectFrom('regions').select('slug').where('id', '=', world.regionId).executeTakeFirstOrThrow()).slug
  const publicPage = await app.inject({ url: `/regio/${slug}` })
  t.equal(publicPage.statusCode, 200)
  t.notMatch(publicPage.body, 'zebravinken', 'the public page shows no quote')
})
