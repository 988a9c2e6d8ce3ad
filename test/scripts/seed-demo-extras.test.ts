import t from 'tap'
import { seedDemo } from '../../scripts/seed-demo.ts'
import { seedDemoExtras } from '../../scripts/seed-demo-extras.ts'
import { createDemoAccounts } from '../../src/auth/demo-accounts.ts'
import { Browser } from '../auth/browser.ts'
import { buildTestApp } from '../helpers.ts'

const now = new Date('2026-11-28T12:00:00.000Z')
const dayMs = 24 * 60 * 60 * 1000

/** The demo as `npm run demo` makes it: the seed, the demo accounts, the extras. */
async function demo(t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t, {}, { now: () => now })
  const db = ctx.database.db
  const summary = await seedDemo(db, { now, responses: 2500 })
  const logins = await createDemoAccounts(db)
  const extras = await seedDemoExtras(db, { now })
  const login = async (role: string) => {
    const line = logins.find((entry) => entry.startsWith(`demo login: ${role} `))!
    const [, , , email, password] = line.split(' ')
    const browser = new Browser(ctx.app)
    const response = await browser.signIn(email!, password!)
    if (response.statusCode !== 303) throw new Error(`${role} cannot sign in`)
    return browser
  }
  return { ...ctx, db, summary, extras, login }
}

/** Everything the extras write, as one string. */
async function snapshot(db: Awaited<ReturnType<typeof demo>>['db']) {
  const parts = []
  for (const table of ['offers', 'offer_themes', 'region_updates', 'contact_requests', 'contact_attempts', 'response_moderation', 'location_requests', 'path_steps', 'digest_subscriptions'] as const) {
    parts.push(table, JSON.stringify(await db.selectFrom(table).selectAll().execute()))
  }
  return parts.join('\n')
}

t.test('the demo seed fills offers, updates, follow-up in every state, quotes and a location request; the pages show them', async (t) => {
  const { db, summary, extras, login } = await demo(t)
  const [zuid, westhoek] = summary.regions
  t.same(extras, { offers: 13, updates: 6, contactRequests: 18, approvedQuotes: 16, locationRequests: 1, pathSteps: 16, digestSubscriptions: 2 })

  // Offers of several partners, with themes.
  const coordinator = await login('coordinator')
  const offersPage = await coordinator.get(`/admin/regions/${zuid!.id}/offers`)
  t.equal(offersPage.statusCode, 200)
  t.equal([...offersPage.body.matchAll(/<a href="\/admin\/regions\/\d+\/offers\/\d+">/g)].length, 7, 'the offers page lists 7 offers')
  for (const provider of ['Bibliotheek Tongeren', 'Sociaal Huis Tongeren', 'Repair Café Borgloon vzw']) t.match(offersPage.body, provider)
  const untagged = await db.selectFrom('offers').leftJoin('offer_themes', 'offer_themes.offer_id', 'offers.id').select('offers.title').where('offer_themes.theme_id', 'is', null).execute()
  t.same(untagged, [], 'every offer has a theme')

  // The bridge figure's queue: new and claimed requests (with attempts); closed ones in their list.
  const bridge = await login('bridge')
  const queue = await bridge.get(`/admin/regions/${zuid!.id}/followup`)
  t.equal(queue.statusCode, 200)
  t.match(queue.body, 'Nieuw')
  t.match(queue.body, 'Opgenomen')
  const closed = await bridge.get(`/admin/regions/${zuid!.id}/followup?status=closed`)
  t.equal([...closed.body.matchAll(/href="\/admin\/regions\/\d+\/followup\/\d+"/g)].length, 3, 'three closed requests')
  const rows = await db.selectFrom('contact_requests').select(['id', 'status', 'outcome', 'outcome_offer_id', 'claimed_by', 'region_id']).where('region_id', '=', zuid!.id).execute()
  t.same([...new Set(rows.map((row) => row.status))].sort(), ['claimed', 'closed', 'new'])
  t.same(rows.filter((row) => row.outcome !== null).map((row) => row.outcome).sort(), ['not_reachable', 'referred', 'referred'])
  t.ok(rows.filter((row) => row.outcome === 'referred').every((row) => row.outcome_offer_id !== null), 'referred to an offer of the region')
  const bridgeId = (await db.selectFrom('users').select('id').where('email', '=', 'bridge@demo.leervraag.be').executeTakeFirstOrThrow()).id
  t.ok(rows.filter((row) => row.status !== 'new').every((row) => row.claimed_by === bridgeId), 'claimed by the demo bridge figure')
  const attempts = await db.selectFrom('contact_attempts').innerJoin('contact_requests', 'contact_requests.id', 'contact_attempts.contact_request_id').select(['contact_attempts.result', 'contact_requests.status']).where('contact_requests.region_id', '=', zuid!.id).execute()
  t.ok(attempts.some((a) => a.status === 'claimed'), 'a claimed request with attempts')
  const home = await bridge.get('/admin')
  t.match(home.body, /followup\/\d+"/, "the bridge figure's start page lists requests")

  // Learning paths in every state the start page shows, on the bridge figure's requests.
  const today = '2026-11-28'
  const paths = await db
    .selectFrom('contact_requests')
    .select(['id', 'status', 'next_contact_on', 'created_at', 'closed_at'])
    .where('region_id', '=', zuid!.id)
    .where('claimed_by', '=', bridgeId)
    .execute()
  const stepsOf = async (id: number) => (await db.selectFrom('path_steps').select(['kind', 'on_day', 'offer_id', 'recorded_by']).where('contact_request_id', '=', id).orderBy('on_day').orderBy('id').execute())
  const kinds = new Map<number, string>()
  for (const path of paths) kinds.set(path.id, (await stepsOf(path.id)).map((step) => step.kind).join(' '))
  const open = (next: (day: string) => boolean) => paths.filter((p) => p.status === 'claimed' && p.next_contact_on !== null && next(p.next_contact_on))
  t.same(open((day) => day === today).map((p) => kinds.get(p.id)), ['conversation'], 'one path due today')
  t.same(open((day) => day < today).map((p) => kinds.get(p.id)), ['conversation referral'], 'one path overdue, waiting for "did they start?"')
  t.same(open((day) => day > today).map((p) => kinds.get(p.id)), ['referral started'], 'a referral that started')
  t.same(paths.filter((p) => p.status === 'closed').map((p) => kinds.get(p.id)).filter(Boolean), ['referral trial completed'], 'one path completed')
  const allSteps = await db.selectFrom('path_steps').innerJoin('contact_requests', 'contact_requests.id', 'path_steps.contact_request_id').select(['path_steps.on_day', 'path_steps.kind', 'path_steps.offer_id', 'path_steps.recorded_by', 'contact_requests.created_at', 'contact_requests.region_id']).execute()
  t.ok(allSteps.every((s) => s.on_day <= today && s.on_day >= s.created_at.slice(0, 10)), 'every step between its request and today')
  t.ok(allSteps.every((s) => s.recorded_by === bridgeId), 'recorded by the demo bridge figure')
  const regionOffers = new Set((await db.selectFrom('offers').select(['id', 'region_id']).execute()).map((o) => `${o.region_id} ${o.id}`))
  t.ok(allSteps.filter((s) => s.kind === 'referral').every((s) => s.offer_id !== null && regionOffers.has(`${s.region_id} ${s.offer_id}`)), 'referrals to offers of their region')
  t.match(home.body, /<b>[1-9]\d*<\/b> vandaag te contacteren/, 'the start page counts paths due today')
  t.match(home.body, /<b>[1-9]\d*<\/b> datum voor contact voorbij/, 'and overdue ones')
  t.match(home.body, 'class="check-start"', 'and asks "did they start?"')

  // The coordinator's digest subscriptions: ticked on their profile page.
  const profile = await coordinator.get('/admin/profile')
  t.equal(profile.statusCode, 200)
  for (const region of [zuid!, westhoek!]) t.match(profile.body, new RegExp(`value="r${region.id}" checked`), `subscribed to the digest of ${region.slug}`)

  // Privacy: invented people at a reserved domain, recent enough for the region's retention.
  const contacts = await db.selectFrom('contact_requests').innerJoin('regions', 'regions.id', 'contact_requests.region_id').select(['contact_requests.name', 'contact_requests.contact_value', 'contact_requests.created_at', 'contact_requests.closed_at', 'regions.contact_max_age_days', 'regions.contact_days_after_close']).execute()
  t.ok(contacts.every((c) => /^[a-z.]+@voorbeeld\.example$/.test(c.contact_value ?? '')), 'reachable at example addresses only')
  t.ok(contacts.every((c) => /(Voorbeeld|Proef|Fictief|Demo|Verzonnen)$/.test(c.name ?? '')), 'names that say they are invented')
  t.ok(contacts.every((c) => Date.parse(c.created_at) > now.getTime() - c.contact_max_age_days * dayMs && Date.parse(c.created_at) < now.getTime()), 'within the maximum age')
  t.ok(contacts.every((c) => c.closed_at === null || Date.parse(c.closed_at) > now.getTime() - c.contact_days_after_close * dayMs), 'closed ones within the days after closing')

  // Quotes: approved ones on the dashboard, others still waiting for moderation.
  const approved = await db.selectFrom('response_moderation').innerJoin('responses', 'responses.id', 'response_moderation.response_id').select(['responses.free_text']).where('response_moderation.region_id', '=', zuid!.id).where('response_moderation.status', '=', 'approved').execute()
  t.ok(approved.length > 0)
  const dashboard = await coordinator.get(`/admin/dashboard/${zuid!.id}?period=quarter`)
  t.equal(dashboard.statusCode, 200)
  const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')
  t.ok(approved.some((row) => dashboard.body.includes(escaped(row.free_text!))), 'the dashboard shows an approved quote')
  const moderation = await coordinator.get(`/admin/regions/${zuid!.id}/moderation`)
  t.equal(moderation.statusCode, 200)
  t.match(moderation.body, /name="action" value="approve"/, 'texts still wait for moderation')

  // Updates: the visible ones on the public page, the hidden one not.
  const publicPage = await coordinator.get(`/regio/${westhoek!.slug}`)
  t.equal(publicPage.statusCode, 200)
  t.match(publicPage.body, 'Het Dorpshuis van Kemmel start drie avonden over energie besparen.')
  t.notMatch(publicPage.body, 'zomerwerking', 'the hidden update is not public')

  // The open location request, on the coordinator's locations page and the partner's start page.
  const locations = await coordinator.get(`/admin/regions/${zuid!.id}/locations`)
  t.match(locations.body, 'Open vragen om een locatie: 1')
  t.match(locations.body, 'Parochiezaal Sint-Jan')
  const partner = await login('partner')
  t.match((await partner.get('/admin')).body, 'Parochiezaal Sint-Jan')
})

t.test('running the extras again adds nothing; the same seed gives the same demo', async (t) => {
  const first = await demo(t)
  const before = await snapshot(first.db)
  t.same(await seedDemoExtras(first.db, { now }), { offers: 0, updates: 0, contactRequests: 0, approvedQuotes: 0, locationRequests: 0, pathSteps: 0, digestSubscriptions: 0 }, 'a second run adds nothing')
  t.equal(await snapshot(first.db), before, 'and changes nothing')

  const second = await demo(t)
  const shape = async (db: typeof first.db) =>
    (await db.selectFrom('contact_requests').select(['response_id', 'name', 'status', 'created_at']).orderBy('response_id').execute()).map((row) => `${row.response_id} ${row.name} ${row.status} ${row.created_at}`)
  t.same(await shape(second.db), await shape(first.db), 'the same follow-up requests on the same answers')
  const quotes = async (db: typeof first.db) => (await db.selectFrom('response_moderation').select('response_id').orderBy('response_id').execute()).map((row) => row.response_id)
  t.same(await quotes(second.db), await quotes(first.db), 'the same approved quotes')
})
