import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import { createPoster } from '../../src/posters/queries.ts'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { loadDashboard } from '../../src/dashboard/dashboard.ts'
import { parseFilters } from '../../src/dashboard/filters.ts'
import { periodId } from '../../src/answers/period-grid.ts'
import { K, PERTURBATION_TABLE, possibleOutputs } from '../../src/answers/cell-key.ts'
import { formatters, presentDashboard } from '../../src/dashboard/presentation.ts'
import { regionDirectory } from '../../src/dashboard/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset, today } from '../dashboard/dataset.ts'
import { buildWorld, storeAnswer } from '../dashboard/world.ts'

const canary = 'zebravinken'
const base = 'https://leervraag.example.be'

/**
 * The dashboard data set (k = 5), plus a location with only three answers (a count the
 * API must hide) and free text with a word that only the signed-in dashboard lists. The
 * API is also mounted at /pinned/api with the clock on the data set's last day.
 */
async function apiApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const other = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const small = await createLocation(db, world.regionId, { name: 'Kerk Bree' })
  const activity = await createActivity(db, { partnerId: world.partners.a, title: 'Leesclub', audience: 'seniors' })
  const poster = await createPoster(db, { activityId: activity, locationId: small })
  const smallPoster = { id: poster.id, partnerId: world.partners.a, locationId: small, activityId: activity }
  for (let i = 0; i < 3; i++) await storeAnswer(db, world, { poster: smallPoster, createdAt: `2026-11-2${i}T10:00:00.000Z`, triedNew: 'yes', step2: { liked: 5, ageBand: '65_plus' } })
  for (let i = 0; i < 6; i++) {
    await storeAnswer(db, world, { poster: world.posters[0]!, createdAt: `2026-11-2${i}T11:00:00.000Z`, triedNew: 'a_bit', step2: { freeText: `${canary} tellen in de tuin` } })
  }
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: base, now: () => now })
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'test', userId: null })
  const { token: otherToken } = await createApiToken(db, { regionId: other.regionId, name: 'other', userId: null })
  const get = (url: string, key: string | null = token) => app.inject({ url, headers: key === null ? {} : { authorization: `Bearer ${key}` } })
  return { app, db, world, other, small, activity, token, otherToken, get }
}

function isJsonError(t: Test, response: LightMyRequestResponse, status: number, code: string, parameter?: string) {
  t.equal(response.statusCode, status, `${code}: status ${status}`)
  t.match(response.headers['content-type'], /^application\/json/, `${code}: JSON`)
  t.equal(response.headers['cache-control'], 'private, no-store')
  const body = response.json() as { error: { code: string; message: string; parameter?: string } }
  t.equal(body.error.code, code)
  t.ok(body.error.message.length > 5, `${code}: a message (${body.error.message})`)
  if (parameter !== undefined) t.equal(body.error.parameter, parameter, `names the parameter ${parameter}`)
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Every object in a JSON value that has a `count`, with its path. */
function counts(value: Json, path = '$'): { path: string; cell: { [key: string]: Json } }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => counts(item, `${path}[${index}]`))
  if (value === null || typeof value !== 'object') return []
  const own = 'count' in value ? [{ path, cell: value }] : []
  return own.concat(Object.entries(value).flatMap(([key, item]) => counts(item, `${path}.${key}`)))
}

/** A cell as the dashboard prints it ("< 5", "•", "1.234"). */
function asText(cell: { [key: string]: Json }, integer: (n: number) => string): string {
  return integer(cell.count as number)
}

t.test('the API gives the dashboard\'s own numbers, for every filter', async (t) => {
  const { db, world, small, activity, get } = await apiApp(t)
  const f = formatters('en')
  const directory = (await regionDirectory(db, { regionId: world.regionId }))!
  const slices: Record<string, string>[] = [
    {},
    { period: '2026-11' },
    { period: 'year' },
    { period: '2026-Q4-td' },
    { period: '2026-W47' },
    { partner: String(world.partners.a) },
    { location: String(small) },
    { activity: String(activity) },
    { audience: 'children' },
    { age: '65_plus' },
    { partner: String(world.partners.b), age: '25_44', period: '2026-11' },
  ]
  for (const slice of slices) {
    const label = new URLSearchParams(slice).toString() || 'no filters'
    const query = new URLSearchParams(slice).toString()
    const parsed = parseFilters(slice, directory, today)
    t.same(parsed.notices, [], `${label}: the dashboard accepts these filters too`)
    const model = (await loadDashboard(db, { regionId: world.regionId }, parsed.filters, parsed.grid, today))!
    const view = presentDashboard(model, 'en')
    const api = async (name: string) => {
      const response = await get(`/pinned/api/v1/regions/${world.regionId}/${name}?${query}`)
      t.equal(response.statusCode, 200, `${label}: ${name} 200`)
      return response.json()
    }
    const summary = await api('summary')
    t.same(
      summary.period,
      { id: parsed.params.period, from: model.period.from, to: model.period.to, previousId: model.previousGrid ? periodId(model.previousGrid) : null, previousFrom: model.previous.from, previousTo: model.previous.to },
      `${label}: period`,
    )
    t.ok(summary.period.to <= '2026-11-26', `${label}: never past yesterday`)
    t.equal(summary.threshold, 5)
    t.same(
      [asText(summary.responses, f.integer), f.percent(summary.triedNewShare), f.percent(summary.triedABitShare), f.decimal(summary.likedAverage), f.percent(summary.step2Share)],
      view.headline.map((h) => h.value),
      `${label}: headline figures as the dashboard prints them`,
    )

    const weekly = await api('weekly')
    t.same(
      weekly.weeks.map((w: { week: string; monday: string; responses: { [key: string]: Json } }) => ({ week: w.week, monday: w.monday, value: asText(w.responses, f.integer) })),
      view.weeks.rows,
      `${label}: weeks`,
    )

    const themes = await api('themes')
    t.same(
      themes.ranked.map((r: { theme: { labels: Record<string, string> }; chosen: { [key: string]: Json }; share: number | null }) => ({ label: r.theme.labels.en, value: asText(r.chosen, f.integer), share: f.percent(r.share) })),
      view.themes.rows,
      `${label}: ranked themes`,
    )
    t.same(
      themes.emerging.map((e: { theme: { labels: Record<string, string> }; current: { [key: string]: Json }; currentTotal: { [key: string]: Json }; previous: { [key: string]: Json }; previousTotal: { [key: string]: Json } }) =>
        view.t('dashboard.emerging.because', {
          theme: e.theme.labels.en!,
          current: asText(e.current, f.integer),
          currentTotal: asText(e.currentTotal, f.integer),
          previous: asText(e.previous, f.integer),
          previousTotal: asText(e.previousTotal, f.integer),
        }),
      ),
      view.emerging,
      `${label}: emerging themes with the numbers that explain them`,
    )

    const breakdowns = await api('breakdowns')
    for (const b of view.breakdowns) {
      const key = b.key === 'age_band' ? 'ageBand' : b.key
      const mine = breakdowns[key]
      t.same(
        mine.rows.map((r: { responses: { [key: string]: Json }; triedNewShare: number | null; likedAverage: number | null }) => [asText(r.responses, f.integer), f.percent(r.triedNewShare), f.decimal(r.likedAverage)]),
        b.rows.map((r) => [r.value, r.triedNew, r.liked]),
        `${label}: ${key} breakdown`,
      )
      t.equal(asText(mine.total, f.integer), b.total)
    }
    const detail = breakdowns.ageBandByLocation
    {
      t.same(
        detail.rows.map((r: { cells: { [key: string]: Json }[]; total: { [key: string]: Json } }) => [...r.cells.map((c) => asText(c, f.integer)), asText(r.total, f.integer)]),
        view.ageByLocation.rows.map((r) => [...r.cells, r.total]),
        `${label}: age band × location`,
      )
    }
  }
})

t.test('the numbers are the ones on the signed-in dashboard page', async (t) => {
  const { app, db, world, get } = await apiApp(t)
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coordinator@example.be', testPassword)
  const query = 'period=2026-Q4-td'
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?${query}&lang=en`)
  t.equal(page.statusCode, 200)
  const summary = (await get(`/api/v1/regions/${world.regionId}/summary?${query}`)).json()
  t.ok(summary.responses.count > 400, `${summary.responses.count} answers`)
  t.match(page.body, `<span class="value">${formatters('en').integer(summary.responses.count)}</span>`, 'the headline count is on the page')
  t.match(page.body, `<span class="value">${Math.round(summary.triedNewShare * 100)}%</span>`, 'and the share that tried something new')
})

t.test('no count below the threshold, no free text, no words', async (t) => {
  const { world, small, activity, get } = await apiApp(t)
  const queries = ['', 'period=2026-11', 'period=year', 'period=2026-W47', `location=${small}`, `activity=${activity}`, 'age=65_plus', 'audience=seniors', `location=${small}&age=65_plus`]
  let cells = 0
  for (const query of queries) {
    for (const name of ['summary', 'weekly', 'themes', 'breakdowns']) {
      const response = await get(`/pinned/api/v1/regions/${world.regionId}/${name}?${query}`)
      t.equal(response.statusCode, 200, `${name}?${query}`)
      const body = response.json() as Json
      for (const { path, cell } of counts(body)) {
        cells++
        const value = cell.count as number
        // Every published count, in every table: 0 or at least k = 5 (the perturbation never gives 1 … 4).
        if (value !== 0 && value < 5) t.fail(`${name}?${query} ${path}: ${value} is shown, below 5`)
      }
      t.notMatch(response.body, canary, `${name}?${query}: no word from free text`)
      t.notMatch(response.body, 'tellen in de tuin')
      t.notMatch(response.body, 'computer', 'no free text of the data set')
      t.notMatch(response.body, /"(words|phrases|rising|text|texts|z)":/, 'no word lists, no z-scores')
    }
  }
  t.ok(cells > 100, `${cells} cells checked`)

  const breakdowns = (await get(`/pinned/api/v1/regions/${world.regionId}/breakdowns`)).json()
  const bree = breakdowns.location.rows.find((row: { name: string }) => row.name === 'Kerk Bree')
  t.ok(possibleOutputs(PERTURBATION_TABLE, 3).has(bree.responses.count) && (bree.responses.count === 0 || bree.responses.count >= K), `the location with three answers publishes 0 or ${K} or more, not 3 (${bree.responses.count})`)
})

t.test('a token opens its own region only; everything else is a JSON 404', async (t) => {
  const { app, world, other, token, otherToken, get } = await apiApp(t)
  const mine = await get(`/api/v1/regions/${world.regionId}/summary`)
  t.equal(mine.statusCode, 200)
  t.equal(mine.headers['cache-control'], 'private, no-store')

  const foreign = await get(`/api/v1/regions/${other.regionId}/summary`)
  isJsonError(t, foreign, 404, 'not_found')
  const unknown = await get('/api/v1/regions/999999/summary')
  t.equal(foreign.body, unknown.body, "another region's id answers exactly like an unknown one")
  t.equal((await get('/api/v1/regions/abc/summary')).body, unknown.body, 'and like one that is not an id')
  t.equal((await get(`/api/v1/regions/${other.regionId}`)).body, unknown.body)
  t.equal((await get(`/api/v1/regions/${world.regionId}/summary`, otherToken)).body, unknown.body, 'the other way round too')
  t.same((await get('/api/v1/regions', otherToken)).json().regions.map((r: { id: number }) => r.id), [other.regionId], 'each token lists only its own region')
  t.same((await get('/api/v1/regions')).json().regions.map((r: { id: number }) => r.id), [world.regionId])

  for (const url of ['/api/v1/regions/1/nothing', '/api/v1', '/api', '/api/v2/regions', `/api/v1/regions/${world.regionId}/summary/`, '/api/v1/openapi.yaml']) {
    const response = await get(url)
    isJsonError(t, response, 404, 'not_found')
    t.notMatch(response.body, '<', `${url}: no HTML`)
  }
  const post = await app.inject({ method: 'POST', url: `/api/v1/regions/${world.regionId}/summary`, headers: { authorization: `Bearer ${token}` } })
  isJsonError(t, post, 404, 'not_found')
  t.notMatch(post.body, '<', 'a method the API does not have: a JSON 404 too')
})

t.test('missing, malformed, unknown tokens: 401 with WWW-Authenticate, never a cookie', async (t) => {
  const { app, world, token } = await apiApp(t)
  const url = `/api/v1/regions/${world.regionId}/summary`
  const none = await app.inject({ url })
  isJsonError(t, none, 401, 'missing_token')
  t.equal(none.headers['www-authenticate'], 'Bearer realm="leervraag"')
  for (const authorization of [`Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer', token]) {
    const response = await app.inject({ url, headers: { authorization } })
    isJsonError(t, response, 401, 'missing_token')
  }
  for (const authorization of [`Bearer ${token}x`, `Bearer ${'x'.repeat(2000)}`, `Bearer lvapi_${'A'.repeat(43)}`, `Bearer ${token.replace('lvapi_', '')}`]) {
    const response = await app.inject({ url, headers: { authorization } })
    isJsonError(t, response, 401, 'invalid_token')
    t.equal(response.headers['www-authenticate'], 'Bearer realm="leervraag", error="invalid_token"')
  }
  t.equal((await app.inject({ url, headers: { authorization: `bearer ${token}` } })).statusCode, 200, 'the scheme is case-insensitive (RFC 7235)')
  const missing = await app.inject({ url: `/api/v1/regions/999999/summary` })
  t.equal(missing.statusCode, 401, 'without a token nothing says whether a region exists')
  const withCookie = await app.inject({ url, cookies: { session: 'whatever' } })
  t.equal(withCookie.statusCode, 401, 'a session cookie is no token')
  const ok = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
  t.equal(ok.headers['set-cookie'], undefined, 'the API sets no cookie')
})

t.test('filters that do not fit: 400 in JSON, naming the parameter', async (t) => {
  const { world, other, get } = await apiApp(t)
  const url = (query: string) => `/pinned/api/v1/regions/${world.regionId}/summary?${query}`
  const cases: [string, string, string][] = [
    // Off the grid (issue 15): free day ranges, old names, unknown spellings, weeks that do not exist.
    ['period=4w', 'period_off_grid', 'period'],
    ['period=custom', 'period_off_grid', 'period'],
    ['period=', 'period_off_grid', 'period'],
    ['period=2026-W54', 'period_off_grid', 'period'],
    ['period=2026-13', 'period_off_grid', 'period'],
    ['period=2026-11-01', 'period_off_grid', 'period'],
    ['period=1999', 'period_off_grid', 'period'],
    ['period=2026-12', 'period_not_yet', 'period'],
    ['from=2026-10-01', 'period_off_grid', 'from'],
    ['period=custom&from=2026-10-01&to=2026-10-31', 'period_off_grid', 'from'],
    ['period=2026-11&to=2026-11-20', 'period_off_grid', 'to'],
    ['period=custom&from=01-02-2026&to=2026-03-01', 'invalid_parameter', 'from'],
    // At most two filters at once.
    [`partner=${world.partners.a}&location=${world.locations[0]}&age=25_44`, 'too_many_filters', 'age'],
    [`audience=adults&activity=${world.activities[0]!.id}&location=${world.locations[0]}`, 'too_many_filters', 'audience'],
    ['partner=abc', 'invalid_parameter', 'partner'],
    ['partner=0', 'invalid_parameter', 'partner'],
    ['partner=999999', 'invalid_parameter', 'partner'],
    [`partner=${other.partners.a}`, 'invalid_parameter', 'partner'],
    [`location=${other.locations[0]}`, 'invalid_parameter', 'location'],
    [`activity=${other.activities[0]!.id}`, 'invalid_parameter', 'activity'],
    ['partner=1&partner=2', 'invalid_parameter', 'partner'],
    ['audience=elders', 'invalid_parameter', 'audience'],
    ['age=18-24', 'invalid_parameter', 'age'],
    ['age=', 'invalid_parameter', 'age'],
    ['lang=en', 'unknown_parameter', 'lang'],
    ['parter=1', 'unknown_parameter', 'parter'],
  ]
  for (const [query, code, parameter] of cases) {
    const response = await get(url(query))
    t.test(query, async (t) => isJsonError(t, response, 400, code, parameter))
  }
  const grid = (await get(url('period=2026-11-01'))).json() as { error: { message: string } }
  t.match(grid.error.message, '2026-Q4-td', 'the message names the grid')
  for (const fine of ['period=2026-W48', 'period=2026-11', 'period=2026-Q4', 'period=2026', 'period=2026-Q4-td', 'period=2026-td', 'period=2025-Q4-td', 'period=ytd', `partner=${world.partners.a}&age=25_44`]) {
    t.equal((await get(url(fine))).statusCode, 200, `${fine} is on the grid`)
  }
  isJsonError(t, await get(`/pinned/api/v1/regions/${world.regionId}?period=2026-11`), 400, 'unknown_parameter', 'period')
  isJsonError(t, await get('/pinned/api/v1/regions?x=1'), 400, 'unknown_parameter', 'x')
  const message = (await get(url('partner=999999'))).json().error.message
  t.equal(message, 'this region has no partner with this id')
})

t.test('each token has its own rate limit', async (t) => {
  const { app, db, world } = await apiApp(t)
  await app.register(apiRoutes, { prefix: '/limited/api', publicBaseUrl: base, now: () => now, limit: { max: 3, windowMs: 60_000 } })
  const first = (await createApiToken(db, { regionId: world.regionId, name: 'a', userId: null })).token
  const second = (await createApiToken(db, { regionId: world.regionId, name: 'b', userId: null })).token
  const get = (token: string) => app.inject({ url: `/limited/api/v1/regions/${world.regionId}/summary`, headers: { authorization: `Bearer ${token}` } })
  for (let i = 0; i < 3; i++) t.equal((await get(first)).statusCode, 200)
  const limited = await get(first)
  isJsonError(t, limited, 429, 'rate_limited')
  const retry = Number(limited.headers['retry-after'])
  t.ok(retry >= 1 && retry <= 60, `Retry-After: ${retry}`)
  t.equal((await get(second)).statusCode, 200, 'another token is not held back')
  const counters = JSON.stringify(await db.selectFrom('ops_counters').selectAll().execute())
  t.notMatch(counters, first.slice(6), 'the counter key holds no token')
})

t.test('the OpenAPI document is public and JSON', async (t) => {
  const { app } = await apiApp(t)
  const response = await app.inject({ url: '/api/v1/openapi.json' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.equal(response.json().openapi, '3.1.0')
  t.equal(response.json().servers[0].url, base)
})
