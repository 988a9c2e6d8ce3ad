import t from 'tap'
import type { Kysely } from 'kysely'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import type { Database } from '../../src/db/types.ts'
import dashboardRoutes, { type DashboardAccess } from '../../src/dashboard/routes.ts'
import shareRoutes from '../../src/dashboard/share-routes.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { addRegionUpdate } from '../../src/updates/queries.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { makeUser } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { buildWorld, storeAnswer, type World } from './world.ts'

/**
 * "In their own words" on the region dashboard: approved quotes only, masked, newest first,
 * only in slices of at least k answers, a partner member's own posters only, never on a
 * share link, the public page or in the CSV.
 */

type Access = (world: World) => DashboardAccess | undefined

async function quoteApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  let access: Access = (w) => ({ regionIds: [w.regionId] })
  await app.register(dashboardRoutes, { prefix: '/plugin', access: () => access(world), now: () => now })
  await app.register(shareRoutes, { prefix: '/pinned', now: () => now })
  const moderator = await makeUser(db, 'coordinator', 'moderator@example.be', { regionIds: [world.regionId] })
  return { app, db, world, moderator, setAccess: (next: Access) => (access = next) }
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
  const { app, db, world, moderator } = await quoteApp(t)
  for (let day = 10; day <= 16; day++) await quote(db, world, moderator, { text: `citaat ${day}`, at: `2026-11-${day}T10:00:00.000Z`, themeSlugs: day === 16 ? ['digitaal'] : [] })
  await quote(db, world, moderator, { text: 'bel me op 0474 12 34 56 of jan@example.be', at: '2026-11-17T10:00:00.000Z' })
  await quote(db, world, moderator, { text: 'Ik ben Jan Peeters en ik wil solderen', at: '2026-11-18T10:00:00.000Z', decision: { redact: 'Ik ben [naam] en ik wil solderen' } })
  await quote(db, world, moderator, { text: 'nog niet nagekeken', at: '2026-11-19T10:00:00.000Z', decision: 'pending' })
  await quote(db, world, moderator, { text: 'verborgen door de moderator', at: '2026-11-20T10:00:00.000Z', decision: 'hide' })

  const page = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w` })
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

  const english = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&lang=en` })
  t.match(voices(english.body), 'In their own words')
  t.match(voices(english.body), 'Digital skills · November 2026')

  const print = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&print=1` })
  t.equal(print.statusCode, 200)
  t.notMatch(print.body, '<blockquote', 'the print view has no quotes: paper travels as far as a share link')
  t.notMatch(print.body, 'In hun eigen woorden')

  const csv = await app.inject({ url: `/plugin/dashboard/${world.regionId}/export.csv?period=4w` })
  t.equal(csv.statusCode, 200)
  t.notMatch(csv.body, 'citaat', 'the CSV has no quotes')
})

t.test('quotes only in slices of at least k answers, and only from that slice', async (t) => {
  const { app, db, world, moderator } = await quoteApp(t)
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

  const region = quotesIn(voices((await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w` })).body)).map((q) => q.text)
  t.same(region, ['klein maar fijn', 'citaat bij partner a', 'citaat bij partner b'], 'the whole region holds enough answers')

  const smallSlice = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&location=${small}` })
  t.equal(smallSlice.statusCode, 200)
  t.match(voices(smallSlice.body), 'Citaten verschijnen pas als deze selectie minstens 5 antwoorden telt.')
  t.notMatch(smallSlice.body, 'klein maar fijn', 'a slice of three answers shows no quote')

  const partnerB = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&partner=${world.partners.b}` })
  t.same(quotesIn(voices(partnerB.body)).map((q) => q.text), ['citaat bij partner b'], 'a filter narrows the quotes to its slice')
  const adults = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&audience=adults` })
  t.same(quotesIn(voices(adults.body)).map((q) => q.text), ['klein maar fijn', 'citaat bij partner b'], 'the audience filter: both activities for adults, whatever their partner')
  const age = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&age=65_plus` })
  t.same(quotesIn(voices(age.body)), [], 'and the age band')
  t.match(voices(age.body), 'Nog geen goedgekeurde citaten in deze selectie.')

  const quarter = quotesIn(voices((await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=quarter&partner=${world.partners.b}` })).body))
  t.same(quarter.map((q) => q.text), ['citaat bij partner b', 'citaat uit september'])
  t.equal(quarter[0]!.meta, 'november 2026', 'a month with enough answers is named')
  t.equal(quarter[1]!.meta, '', 'a month with fewer than k answers is not')
})

t.test("a partner member sees only quotes from their own posters; share links and the public page show none", async (t) => {
  const { app, db, world, moderator, setAccess } = await quoteApp(t)
  await quote(db, world, moderator, { text: 'zebravinken bij partner a', at: '2026-11-25T10:00:00.000Z', poster: world.posters[0]! })
  await quote(db, world, moderator, { text: 'zebravinken bij partner b', at: '2026-11-24T10:00:00.000Z', poster: world.posters[3]! })

  setAccess((w) => ({ regionIds: [w.regionId], partnerId: w.partners.a }))
  const a = quotesIn(voices((await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w` })).body)).map((q) => q.text)
  t.same(a, ['zebravinken bij partner a'])
  setAccess((w) => ({ regionIds: [w.regionId], partnerId: w.partners.b }))
  const b = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w` })
  t.same(quotesIn(voices(b.body)).map((q) => q.text), ['zebravinken bij partner b'])
  t.notMatch(b.body, 'partner a')

  const { token } = await createShareLink(db, world.regionId, moderator)
  for (const period of ['4w', 'quarter', 'year']) {
    const shared = await app.inject({ url: `/pinned/r/${token}?period=${period}` })
    t.equal(shared.statusCode, 200)
    t.notMatch(shared.body, 'zebravinken', `the share link (${period}) shows no quote`)
    t.notMatch(shared.body, 'In hun eigen woorden')
  }
  const print = await app.inject({ url: `/pinned/r/${token}?period=4w&print=1` })
  t.notMatch(print.body, 'zebravinken', 'nor its print view')
  await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes[0]!.id, body: 'We starten een schaakclub.', userId: moderator })
  const slug = (await db.selectFrom('regions').select('slug').where('id', '=', world.regionId).executeTakeFirstOrThrow()).slug
  const publicPage = await app.inject({ url: `/regio/${slug}` })
  t.equal(publicPage.statusCode, 200)
  t.notMatch(publicPage.body, 'zebravinken', 'the public page shows no quote')
})
