import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../src/db/types.ts'
import { createActivity, createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { addRegionUpdate } from '../../src/updates/queries.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { createLocationRequest } from '../../src/admin/location-requests.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

/**
 * Walks every management route in the app's route table, for every role, against
 * resources of the person's own scope, of another partner in the same region, of another
 * region, and against a URL that mixes the person's region with another region's id.
 * Inside the scope the route does what the role allows (else 403); outside it answers
 * 403 or 404 and the database is unchanged. A route without expectations below fails
 * the test, so a new route cannot slip through unchecked.
 */

type Actor = Role
const roles: Actor[] = ['admin', 'coordinator', 'partner', 'bridge']
const all = roles
const managers: Actor[] = ['admin', 'coordinator']
const withPartners: Actor[] = ['admin', 'coordinator', 'partner']

/** Who may use each route inside their own scope. */
const allowed: Record<string, Actor[]> = {
  'GET /admin': all,
  'GET /admin/regions': ['admin'],
  'POST /admin/regions': ['admin'],
  'GET /admin/users': ['admin'],
  'POST /admin/users': ['admin'],
  'GET /admin/users/:userId/disable': ['admin'],
  'POST /admin/users/:userId/disable': ['admin'],
  'POST /admin/users/:userId/enable': ['admin'],
  'POST /admin/users/:userId/password-reset': ['admin'],
  'GET /admin/audit': ['admin'],
  // Everyone's own profile page (src/digest/profile-routes.ts): their own digest subscriptions only.
  'GET /admin/profile': all,
  'POST /admin/profile': all,
  'GET /admin/regions/:regionId': all,
  'POST /admin/regions/:regionId': managers,
  'GET /admin/regions/:regionId/partners': managers,
  'POST /admin/regions/:regionId/partners': managers,
  // The partner's own page (src/partners): the region's coordinators, and that partner's members.
  'GET /admin/regions/:regionId/partners/:partnerId': withPartners,
  'POST /admin/regions/:regionId/partners/:partnerId': managers,
  // The monthly digest (src/digest): a region's for its coordinators and bridge figures; a partner's for its page's people.
  'GET /admin/regions/:regionId/digest': ['admin', 'coordinator', 'bridge'],
  'GET /admin/regions/:regionId/partners/:partnerId/digest': withPartners,
  'GET /admin/regions/:regionId/digest.pdf': ['admin', 'coordinator', 'bridge'],
  'GET /admin/regions/:regionId/partners/:partnerId/digest.pdf': withPartners,
  'GET /admin/regions/:regionId/locations': withPartners,
  'POST /admin/regions/:regionId/locations': managers,
  'GET /admin/regions/:regionId/locations/:locationId': managers,
  'POST /admin/regions/:regionId/locations/:locationId': managers,
  'POST /admin/regions/:regionId/locations/:locationId/municipality': managers,
  // Requests for a missing location (src/admin/location-request-routes.ts): partner members ask, coordinators answer.
  'GET /admin/regions/:regionId/location-requests': withPartners,
  'POST /admin/regions/:regionId/location-requests': ['admin', 'partner'],
  'GET /admin/regions/:regionId/location-requests/:requestId': withPartners,
  'POST /admin/regions/:regionId/location-requests/:requestId/accept': managers,
  'POST /admin/regions/:regionId/location-requests/:requestId/decline': managers,
  'GET /admin/regions/:regionId/themes': managers,
  'POST /admin/regions/:regionId/themes': managers,
  'GET /admin/regions/:regionId/themes/:themeId': managers,
  'POST /admin/regions/:regionId/themes/:themeId': managers,
  'GET /admin/regions/:regionId/users': managers,
  'POST /admin/regions/:regionId/users': managers,
  'GET /admin/regions/:regionId/users/:userId/disable': managers,
  'POST /admin/regions/:regionId/users/:userId/disable': managers,
  'POST /admin/regions/:regionId/users/:userId/enable': managers,
  'POST /admin/regions/:regionId/users/:userId/password-reset': managers,
  'GET /admin/regions/:regionId/audit': managers,
  'GET /admin/regions/:regionId/activities': withPartners,
  'POST /admin/regions/:regionId/activities': withPartners,
  'GET /admin/regions/:regionId/activities/:activityId': withPartners,
  'POST /admin/regions/:regionId/activities/:activityId': withPartners,
  'POST /admin/regions/:regionId/activities/:activityId/posters': withPartners,
  'GET /admin/regions/:regionId/posters': withPartners,
  'POST /admin/regions/:regionId/posters/:posterId/status': withPartners,
  // The region dashboard (src/dashboard/routes.ts); a partner member sees their own posters' figures.
  'GET /admin/dashboard/:regionId': withPartners,
  // The overview over several regions: this walk's coordinator has one region (refused); coordinators of two in test/planning/overview.test.ts.
  'GET /admin/planning/overview': ['admin'],
  'GET /admin/regions/:regionId/planning': withPartners,
  'GET /admin/regions/:regionId/planning/export.csv': withPartners,
  'GET /admin/regions/:regionId/planning/effect': withPartners,
  'GET /admin/dashboard/:regionId/export.csv': withPartners,
  'GET /admin/dashboard/:regionId/report.pdf': withPartners,
  // Share links to the dashboard (src/dashboard/share-admin-routes.ts): coordinators and admins.
  'GET /admin/dashboard/:regionId/share': managers,
  'POST /admin/dashboard/:regionId/share': managers,
  'POST /admin/dashboard/:regionId/share/:linkId/revoke': managers,
  // Public updates of a region (src/updates/admin-routes.ts): coordinators and admins.
  'GET /admin/regions/:regionId/updates': managers,
  'POST /admin/regions/:regionId/updates': managers,
  'POST /admin/regions/:regionId/updates/:updateId/hide': managers,
  // Free texts and their themes (src/themes/text-routes.ts): the people who edit the keywords.
  'GET /admin/regions/:regionId/texts': managers,
  'POST /admin/regions/:regionId/texts/:responseId/themes': managers,
  // Read-only API tokens of a region (src/api/token-admin-routes.ts): coordinators and admins.
  'GET /admin/regions/:regionId/api-tokens': managers,
  'POST /admin/regions/:regionId/api-tokens': managers,
  'POST /admin/regions/:regionId/api-tokens/:tokenId/revoke': managers,
  // Imports (issue 18): the upload page and the confirmations page.
  'GET /admin/regions/:regionId/imports': managers,
  'GET /admin/regions/:regionId/imports/links': managers,
  // Printing (src/posters/routes.ts): scoped by the poster, activity, partner or region named.
  'GET /admin/posters/:id': withPartners,
  'GET /admin/posters/:id/poster.pdf': withPartners,
  'GET /admin/posters/:id/preview.svg': withPartners,
  'GET /admin/posters/:id/qr.svg': withPartners,
  'GET /admin/posters/:id/qr.png': withPartners,
  'GET /admin/posters/batch.pdf': withPartners,
  'GET /admin/posters/batch/activity/:activityId': withPartners,
  'GET /admin/posters/batch/location/:locationId': withPartners,
  'GET /admin/posters/batch/partner/:partnerId': withPartners,
  'GET /admin/posters/batch/region/:regionId': withPartners,
  'GET /admin/posters/funnel.json': withPartners,
  // Assisted capture at a walk-in point (src/capture/assisted-routes.ts): the region's bridge figures and coordinators.
  'GET /admin/regions/:regionId/assisted': ['admin', 'coordinator', 'bridge'],
  'POST /admin/regions/:regionId/assisted': ['admin', 'coordinator', 'bridge'],
}

/**
 * Follow-up routes (src/followup/*-routes.ts) name contact requests, offers and answers that
 * this walk's worlds do not hold; their scope is walked per role and region in
 * test/followup/queue.test.ts and test/followup/management.test.ts. They are listed here so
 * that a new management route still fails this test until someone decides where it is checked.
 */
const coveredElsewhere = new Set([
  'GET /admin/regions/:regionId/followup',
  'GET /admin/regions/:regionId/followup/:id',
  'POST /admin/regions/:regionId/followup/:id/claim',
  'POST /admin/regions/:regionId/followup/:id/attempts',
  'POST /admin/regions/:regionId/followup/:id/close',
  // Learning paths: walked per role and region in test/followup/paths.test.ts.
  'POST /admin/regions/:regionId/followup/:id/steps',
  'POST /admin/regions/:regionId/followup/:id/next-contact',
  'POST /admin/regions/:regionId/followup/:id/reopen',
  // A partner's share links (src/partners/routes.ts): made and revoked by that partner's members and the
  // region's coordinators; walked per role and partner in test/partners/page.test.ts.
  'POST /admin/regions/:regionId/partners/:partnerId/share',
  'POST /admin/regions/:regionId/partners/:partnerId/share/:linkId/revoke',
  // A digest's feed links (src/digest/routes.ts): made and revoked by whoever may read the digest;
  // walked per role and scope in test/digest/feed.test.ts.
  'POST /admin/regions/:regionId/digest/feed',
  'POST /admin/regions/:regionId/digest/feed/:feedId/revoke',
  'POST /admin/regions/:regionId/partners/:partnerId/digest/feed',
  'POST /admin/regions/:regionId/partners/:partnerId/digest/feed/:feedId/revoke',
  'GET /admin/regions/:regionId/offers',
  'GET /admin/regions/:regionId/offers/new',
  'POST /admin/regions/:regionId/offers',
  'GET /admin/regions/:regionId/offers/:offerId',
  'POST /admin/regions/:regionId/offers/:offerId',
  'GET /admin/regions/:regionId/moderation',
  'POST /admin/regions/:regionId/moderation/:responseId',
  'GET /admin/subject-requests',
  'POST /admin/subject-requests',
  // Criteria, panel and proposals (issue 18): test/planning/criteria.test.ts walks roles, the panel and other regions.
  'GET /admin/regions/:regionId/planning/criteria',
  'POST /admin/regions/:regionId/planning/criteria',
  'POST /admin/regions/:regionId/planning/criteria/weights',
  'POST /admin/regions/:regionId/planning/criteria/:criterionId/retire',
  'POST /admin/regions/:regionId/planning/panel',
  'POST /admin/regions/:regionId/planning/panel/:userId/remove',
  'GET /admin/regions/:regionId/planning/proposals',
  'GET /admin/regions/:regionId/planning/proposals/:activityId',
  'POST /admin/regions/:regionId/planning/proposals/:activityId/scores',
  'POST /admin/regions/:regionId/planning/proposals/:activityId/accept',
  // Imports (issue 18): the upload is multipart (this walk posts form bodies), and runs, places,
  // organizers and terms are ids of their own; test/imports/routes.test.ts walks every role and
  // another region's coordinator over these.
  'POST /admin/regions/:regionId/imports',
  'GET /admin/regions/:regionId/imports/runs/:runId',
  'POST /admin/regions/:regionId/imports/places/:placeId',
  'POST /admin/regions/:regionId/imports/organizers/:organizerId',
  'POST /admin/regions/:regionId/imports/terms/:termId',
])

/** Routes whose resource is named in the query string rather than the path. */
const queries: Record<string, string> = {
  'GET /admin/posters/batch.pdf': '?activity=:activityId&format=a5',
  'GET /admin/posters/funnel.json': '?activity=:activityId',
}

/** Routes outside /admin/regions/:regionId answer 404 (not 403) to a role that may not use them: nothing is there for that person. */
const deniedAsNotFound = new Set(Object.keys(queries).concat(['GET /admin/posters/:id', 'GET /admin/posters/:id/poster.pdf', 'GET /admin/posters/:id/preview.svg', 'GET /admin/posters/:id/qr.svg', 'GET /admin/posters/:id/qr.png', 'GET /admin/posters/batch/activity/:activityId', 'GET /admin/posters/batch/location/:locationId', 'GET /admin/posters/batch/partner/:partnerId', 'GET /admin/posters/batch/region/:regionId']))

/** Invitations and reset links answer with the page that shows the new link (once), not a redirect. */
const showsLink = new Set(['POST /admin/users', 'POST /admin/regions/:regionId/users', 'POST /admin/users/:userId/password-reset', 'POST /admin/regions/:regionId/users/:userId/password-reset', 'POST /admin/dashboard/:regionId/share', 'POST /admin/regions/:regionId/api-tokens'])

interface Scope {
  regionId: number
  partnerId: number
  locationId: number
  freeLocationId: number
  activityId: number
  posterId: number
  themeId: number
  userId: number
  linkId: number
  updateId: number
  responseId: number
  tokenId: number
  requestId: number
}

type ScopeName = 'global' | 'own' | 'other-partner' | 'other-region' | 'cross'

async function regionWorld(db: Kysely<Database>, name: string) {
  const regionId = await createRegion(db, { slug: name.toLowerCase(), name: `Regio ${name}` })
  const partner1 = await createPartner(db, regionId, `Bib ${name}1`, 'library')
  const partner2 = await createPartner(db, regionId, `CVO ${name}2`, 'adult_education')
  const location = await createLocation(db, regionId, { name: `Zaal ${name}` })
  const freeLocation = await createLocation(db, regionId, { name: `Buurthuis ${name}` })
  const activity1 = await createActivity(db, { partnerId: partner1, title: `Repair Café ${name}1` })
  const activity2 = await createActivity(db, { partnerId: partner2, title: `Kookles ${name}2` })
  const poster1 = await createPoster(db, { activityId: activity1, locationId: location })
  const poster2 = await createPoster(db, { activityId: activity2, locationId: location })
  const theme = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).orderBy('id').executeTakeFirstOrThrow()
  // Accounts that may be disabled, re-enabled and given reset links by the walk; never the
  // ones who act. The walk goes through the routes in the order they are registered:
  // disable, enable, then the reset link (which a disabled account does not get).
  const member1 = await makeUser(db, 'partner', `lid1@${name.toLowerCase()}.be`, { partnerIds: [partner1] })
  const member2 = await makeUser(db, 'partner', `lid2@${name.toLowerCase()}.be`, { partnerIds: [partner2] })
  const { id: linkId } = await createShareLink(db, regionId, member1)
  const updateId = await addRegionUpdate(db, { regionId, themeId: theme.id, body: `Nieuws ${name}`, userId: member1 })
  const response = await db
    .insertInto('responses')
    .values({ poster_id: poster1.id, region_id: regionId, partner_id: partner1, location_id: location, activity_id: activity1, created_at: new Date().toISOString(), language: 'nl', tried_new: 'yes', free_text: `Ik wil leren lassen in ${name}`, step: 2, record_key: 17 })
    .returning('id')
    .executeTakeFirstOrThrow()
  const { id: tokenId } = await createApiToken(db, { regionId, name: `Token ${name}`, userId: member1 })
  const request1 = await createLocationRequest(db, { regionId, partnerId: partner1, requestedBy: member1, name: `Gevraagd ${name}1`, address: null, municipality: null, note: null })
  const request2 = await createLocationRequest(db, { regionId, partnerId: partner2, requestedBy: member2, name: `Gevraagd ${name}2`, address: null, municipality: null, note: null })
  const base = { regionId, locationId: location, freeLocationId: freeLocation, themeId: theme.id, linkId, updateId, responseId: response.id, tokenId }
  return {
    regionId,
    first: { ...base, partnerId: partner1, activityId: activity1, posterId: poster1.id, userId: member1, requestId: request1 },
    second: { ...base, partnerId: partner2, activityId: activity2, posterId: poster2.id, userId: member2, requestId: request2 },
  }
}

const tables = ['regions', 'partners', 'locations', 'activities', 'activity_themes', 'posters', 'themes', 'users', 'user_regions', 'user_partners', 'invitations', 'password_resets', 'share_links', 'region_updates', 'response_themes', 'response_theme_reviews', 'api_tokens', 'location_requests'] as const

/** Everything management can change, as one string (sessions and the audit log excluded). */
async function fingerprint(db: Kysely<Database>): Promise<string> {
  const parts: string[] = []
  for (const table of tables) {
    const rows = await db.selectFrom(table).selectAll().execute()
    parts.push(table, JSON.stringify(rows.map((row) => JSON.stringify(row)).sort()))
  }
  return parts.join('\n')
}

let counter = 0
function bodyFor(route: string, scope: Scope): Record<string, string | string[]> {
  const n = ++counter
  const bodies: Record<string, Record<string, string | string[]>> = {
    'POST /admin/regions': { slug: `regio-${n}`, name: `Nieuwe regio ${n}`, default_language: 'nl' },
    'POST /admin/users': { email: `beheer${n}@example.be` },
    'POST /admin/profile': { language: 'nl' },
    'POST /admin/users/:userId/disable': {},
    'POST /admin/users/:userId/enable': {},
    'POST /admin/users/:userId/password-reset': {},
    'POST /admin/regions/:regionId': { name: `Regio ${n}`, default_language: 'nl', contact_line: 'Bel 012 34 56 78' },
    'POST /admin/regions/:regionId/partners': { name: `Partner ${n}`, kind: 'other' },
    'POST /admin/regions/:regionId/partners/:partnerId': { name: `Partner hernoemd ${n}`, kind: 'library' },
    'POST /admin/regions/:regionId/locations': { name: `Locatie ${n}`, municipality: 'Tongeren' },
    'POST /admin/regions/:regionId/locations/:locationId': { name: `Locatie hernoemd ${n}`, latitude: '50.78', longitude: '5.46' },
    'POST /admin/regions/:regionId/locations/:locationId/municipality': { municipality_nis: '73066' },
    'POST /admin/regions/:regionId/themes': { label_nl: `Thema ${n}`, keywords_nl: 'woord', position: '40' },
    'POST /admin/regions/:regionId/themes/:themeId': { label_nl: `Thema hernoemd ${n}`, position: '1' },
    'POST /admin/regions/:regionId/users': { email: `uitgenodigd${n}@example.be`, role: 'partner', partner_id: String(scope.partnerId) },
    'POST /admin/regions/:regionId/users/:userId/disable': {},
    'POST /admin/regions/:regionId/users/:userId/enable': {},
    'POST /admin/regions/:regionId/users/:userId/password-reset': {},
    'POST /admin/regions/:regionId/activities': { title: `Activiteit ${n}`, audience: 'adults', partner_id: String(scope.partnerId), themes: [String(scope.themeId)] },
    'POST /admin/regions/:regionId/activities/:activityId': { title: `Activiteit hernoemd ${n}`, audience: 'all', partner_id: String(scope.partnerId) },
    'POST /admin/regions/:regionId/activities/:activityId/posters': { locations: [String(scope.freeLocationId)] },
    'POST /admin/regions/:regionId/posters/:posterId/status': { status: 'paused' },
    'POST /admin/dashboard/:regionId/share': {},
    'POST /admin/dashboard/:regionId/share/:linkId/revoke': {},
    'POST /admin/regions/:regionId/updates': { body: `Bericht ${n}`, theme_id: String(scope.themeId) },
    'POST /admin/regions/:regionId/updates/:updateId/hide': { hidden: '1' },
    'POST /admin/regions/:regionId/texts/:responseId/themes': { themes: [String(scope.themeId)] },
    'POST /admin/regions/:regionId/api-tokens': { name: `Token ${n}` },
    'POST /admin/regions/:regionId/api-tokens/:tokenId/revoke': {},
    'POST /admin/regions/:regionId/location-requests': { name: `Gevraagde zaal ${n}`, municipality: 'Riemst', partner_id: String(scope.partnerId) },
    'POST /admin/regions/:regionId/location-requests/:requestId/accept': { name: `Toegevoegde zaal ${n}`, municipality: 'Riemst' },
    'POST /admin/regions/:regionId/location-requests/:requestId/decline': { answer: `Bestaat al (${n})` },
    'POST /admin/regions/:regionId/assisted': { ticket: `walk-in-ticket-${String(n).padStart(7, '0')}`, poster_id: String(scope.posterId), language: 'nl', tried_new: 'yes' },
  }
  const body = bodies[route]
  if (body === undefined) throw new Error(`no form body for ${route}: add one to this test`)
  return body
}

function fill(url: string, scope: Scope): string {
  return url.replace(/:(\w+)/g, (_match, name: string) => {
    const value = scope[(name === 'id' ? 'posterId' : name) as keyof Scope]
    if (value === undefined) throw new Error(`no value for :${name} in ${url}: add it to this test`)
    return String(value)
  })
}

const partnerLevel = ['partnerId', 'activityId', 'posterId', 'userId', 'requestId']

/**
 * A location request is answered once; a second answer is refused (409, tested in
 * test/admin/location-requests.test.ts). So that each role's answer reaches the permission
 * check and the write, the walk reopens every request before calling these routes.
 */
const answersOnce = new Set(['POST /admin/regions/:regionId/location-requests/:requestId/accept', 'POST /admin/regions/:regionId/location-requests/:requestId/decline'])
async function reopenLocationRequests(db: Kysely<Database>) {
  await db.updateTable('location_requests').set({ status: 'open', location_id: null, answer: null, answered_by: null, answered_at: null }).execute()
}
const regionLevel = ['locationId', 'themeId', 'linkId', 'updateId', 'responseId', 'tokenId']

function scopesFor(url: string): ScopeName[] {
  const params = [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!)
  if (params.includes('id') || params.includes('activityId') && !params.includes('regionId')) return ['own', 'other-partner', 'other-region']
  if (!params.includes('regionId')) return ['global']
  if (params.some((name) => partnerLevel.includes(name))) return ['own', 'other-partner', 'other-region', 'cross']
  if (params.some((name) => regionLevel.includes(name))) return ['own', 'other-region', 'cross']
  return ['own', 'other-region']
}

function inside(role: Actor, scope: ScopeName): boolean {
  if (scope === 'global' || scope === 'own') return true
  if (scope === 'other-partner') return role !== 'partner'
  if (scope === 'other-region') return role === 'admin'
  return false
}

t.test('every management route, every role, inside and outside the scope', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const a = await regionWorld(db, 'A')
  const b = await regionWorld(db, 'B')
  const otherAdmin = await makeUser(db, 'admin', 'andere-beheerder@example.be')

  const accounts: Record<Actor, string> = {
    admin: 'beheer@example.be',
    coordinator: 'coord@example.be',
    partner: 'partner@example.be',
    bridge: 'brug@example.be',
  }
  await makeUser(db, 'admin', accounts.admin)
  await makeUser(db, 'coordinator', accounts.coordinator, { regionIds: [a.regionId] })
  await makeUser(db, 'partner', accounts.partner, { partnerIds: [a.first.partnerId] })
  await makeUser(db, 'bridge', accounts.bridge, { regionIds: [a.regionId] })

  const scopes: Record<ScopeName, Scope> = {
    global: { ...a.first, userId: otherAdmin },
    own: a.first,
    'other-partner': a.second,
    'other-region': b.first,
    // Own region in the URL, another region's ids after it.
    cross: { ...b.first, regionId: a.regionId },
  }

  const allRoutes = app.routeTable.filter((route) => route.url.startsWith('/admin') && route.method !== 'HEAD')
  const routes = allRoutes.filter((route) => !coveredElsewhere.has(`${route.method} ${route.url.replace(/\/$/, '')}`))
  t.equal(allRoutes.length - routes.length, coveredElsewhere.size, 'every follow-up route listed as covered elsewhere exists')
  t.ok(routes.length >= 30, `${routes.length} management routes found in the route table`)
  const unknown = routes.map((route) => `${route.method} ${route.url.replace(/\/$/, '')}`).filter((key) => !(key in allowed))
  t.same(unknown, [], 'every management route has expectations in this test')

  let cases = 0
  // The fingerprint as it stands after the last request that was refused (and so changed
  // nothing): the "before" of the next refused request, read again only after a request
  // that may change data. Half the reads of 18 tables, over about a thousand cases.
  let unchanged: string | undefined
  for (const role of roles) {
    const browser = new Browser(app)
    const signedIn = await browser.signIn(accounts[role], testPassword)
    t.equal(signedIn.statusCode, 303, `${role} signs in`)
    const home = await browser.get('/admin')
    t.equal(home.statusCode, 200)
    const token = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!
    // Signing in may touch the account's row.
    unchanged = undefined

    for (const route of routes) {
      const key = `${route.method} ${route.url.replace(/\/$/, '')}`
      const template = route.url + (queries[key] ?? '')
      for (const scopeName of scopesFor(template)) {
        const scope = scopes[scopeName]
        const url = fill(template, scope)
        const isInside = inside(role, scopeName)
        if (answersOnce.has(key)) {
          await reopenLocationRequests(db)
          unchanged = undefined
        }
        if (isInside) unchanged = undefined
        const before = isInside ? '' : (unchanged ??= await fingerprint(db))
        const response =
          route.method === 'GET' ? await browser.get(url) : await browser.post(url, { _csrf: token, ...bodyFor(key, scope) })
        cases++
        const label = `${role} · ${key} · ${scopeName} → ${response.statusCode}`
        if (isInside) {
          const expected = allowed[key]!.includes(role) ? (route.method === 'GET' || showsLink.has(key) ? 200 : 303) : deniedAsNotFound.has(key) ? 404 : 403
          if (response.statusCode !== expected) t.fail(`${label}, expected ${expected}`, { body: response.body.slice(0, 400) })
          else t.pass(label)
        } else {
          t.ok([403, 404].includes(response.statusCode), label)
          unchanged = await fingerprint(db)
          t.equal(unchanged, before, `${label}: nothing changed`)
        }
      }
    }
  }

  // Without a session every route sends the person to the sign-in page and changes nothing.
  const anonymous = new Browser(app)
  await anonymous.get('/login')
  const anonymousToken = /name="_csrf" value="([^"]+)"/.exec(anonymous.lastPage)![1]!
  unchanged = undefined
  for (const route of routes) {
    const key = `${route.method} ${route.url.replace(/\/$/, '')}`
    const url = fill(route.url + (queries[key] ?? ''), scopes.own)
    if (answersOnce.has(key)) {
      await reopenLocationRequests(db)
      unchanged = undefined
    }
    const before = (unchanged ??= await fingerprint(db))
    const response = route.method === 'GET' ? await anonymous.get(url) : await anonymous.post(url, { _csrf: anonymousToken, ...bodyFor(key, scopes.own) })
    cases++
    t.equal(response.statusCode, 303, `anonymous · ${key}`)
    t.equal(response.headers.location, '/login')
    unchanged = await fingerprint(db)
    t.equal(unchanged, before, `anonymous · ${key}: nothing changed`)
  }

  t.comment(`access-control cases (route, role, resource): ${cases} over ${routes.length} routes`)
  console.log(`access-control cases (route, role, resource): ${cases} over ${routes.length} routes`)
})

t.test('lists show only what is in scope (filtered in SQL, not after loading)', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const a = await regionWorld(db, 'A')
  await regionWorld(db, 'B')
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [a.regionId] })
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [a.first.partnerId] })

  const partner = new Browser(app)
  await partner.signIn('partner@example.be', testPassword)
  const activities = await partner.get(`/admin/regions/${a.regionId}/activities`)
  t.match(activities.body, 'Repair Café A1')
  t.notMatch(activities.body, 'Kookles A2', "another partner's activity is not listed")
  const posters = await partner.get(`/admin/regions/${a.regionId}/posters`)
  t.match(posters.body, 'Repair Café A1')
  t.notMatch(posters.body, 'Kookles A2', "another partner's poster is not listed")
  const home = await partner.get('/admin')
  t.match(home.body, 'Regio A')
  t.notMatch(home.body, 'Regio B')

  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const list = await coordinator.get(`/admin/regions/${a.regionId}/activities`)
  t.match(list.body, 'Repair Café A1')
  t.match(list.body, 'Kookles A2')
  t.notMatch(list.body, 'Repair Café B1')
  const users = await coordinator.get(`/admin/regions/${a.regionId}/users`)
  t.match(users.body, 'lid1@a.be')
  t.notMatch(users.body, 'lid1@b.be', 'people of another region are not listed')
  t.notMatch((await coordinator.get('/admin')).body, 'Regio B')
})
