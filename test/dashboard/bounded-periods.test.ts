import fc from 'fast-check'
import t from 'tap'
import { createApiToken } from '../../src/api/tokens.ts'
import { createSession } from '../../src/auth/sessions.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { makeUser } from '../auth/browser.ts'
import { seedPoster, testDatabase } from '../helpers.ts'
import { startServer } from '../ops/server-process.ts'

/**
 * Issue 13, finding 1: a period such as 9999-12-30 … 9999-12-31 sent the dashboard's week
 * loop round forever (the day after 9999-12-31 is `+010000-01-01`, which sorts before it as
 * a string). A synchronous loop blocks the whole process, so the attack is made over real
 * HTTP against a server in a child process, each request with a deadline of its own: on a
 * server that hangs the test fails within seconds instead of hanging the test runner.
 *
 * Every answer must come within one second, must not be a 5xx, and /healthz must answer
 * meanwhile — for arbitrary `period`, `from`, `to` and filter values on every route that
 * reads a period: the dashboard page, its CSV and PDF, the share link and the API.
 */

// The server starts in a child process through tsx: on a busy machine that alone can take tens of seconds.
t.setTimeout(300_000)

/**
 * One second, as the issue asks — unless the machine is so loaded that an ordinary request
 * of the same routes already takes a good part of it (a report PDF is drawn in 15–35 ms on
 * an idle machine, but took 300–700 ms here at a load average of 20 on two cores). Then
 * the deadline is four times the slowest ordinary request: still finite, so a server that
 * hangs fails within seconds, and a slow machine does not fail a server that answers.
 */
let deadlineMs = 1000

const extremeDays = [
  '0000-01-01',
  '0001-01-01',
  '1969-12-31',
  '1999-12-31',
  '2000-01-01',
  '9999-12-30',
  '9999-12-31',
  '+010000-01-01',
  '+275760-09-13',
  '-000001-01-01',
  '-271821-04-20',
  '2024-02-29',
  '2024-02-30',
  '2023-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-01-00',
  '2026-1-1',
  '99999-01-01',
  '2026-01-01T00:00:00Z',
  ' 2026-01-01 ',
  '',
  ' ',
  'today',
  'NaN',
  '1e9',
]

/** Any day, as `Date#toISOString` writes it (extended years included), without the time. */
const isoDay = (min: number, max: number) => fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((date) => date.toISOString().split('T')[0]!)

const pad = (n: number, width: number) => String(n).padStart(width, '0')

const day = fc.oneof(
  fc.constantFrom(...extremeDays),
  isoDay(-8.64e15, 8.64e15),
  isoDay(Date.UTC(1990, 0, 1), Date.UTC(2035, 0, 1)),
  // Well-formed but not necessarily in the calendar: 2024-02-30, 0000-00-00.
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  fc.string({ maxLength: 24 }),
)

const period = fc.oneof(
  fc.constantFrom('4w', 'quarter', 'year', 'custom', 'custom', 'custom', '', 'decade', 'CUSTOM', 'custom '),
  fc.string({ maxLength: 20 }),
)

const routes = ['page', 'csv', 'pdf', 'print', 'share', 'share-pdf', 'summary', 'weekly', 'themes', 'breakdowns'] as const
type Route = (typeof routes)[number]

t.test('arbitrary periods and filters: every route answers within a second, never with a 5xx, and /healthz meanwhile', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const fixture = await seedPoster(database)
  // A partner member: the least someone needs to reach the dashboard routes.
  const member = await makeUser(db, 'partner', 'lid@example.be', { regionIds: [fixture.regionId], partnerIds: [fixture.partnerId] })
  const session = await createSession(db, member)
  // One token per few requests: the API's per-token rate limit is not what this test is about.
  const tokens: string[] = []
  for (let i = 0; i < 8; i++) tokens.push((await createApiToken(db, { regionId: fixture.regionId, name: `attack ${i}`, userId: null })).token)
  const { token: shareToken } = await createShareLink(db, fixture.regionId, member)

  const server = await startServer(t, { DATABASE_URL: database.url })
  let requests = 0

  async function fetchWithDeadline(path: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number } | { error: string; ms: number }> {
    const started = performance.now()
    try {
      const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(deadlineMs) })
      await response.arrayBuffer()
      return { status: response.status, ms: performance.now() - started }
    } catch (error) {
      return { error: (error as Error).name === 'TimeoutError' ? `no answer within ${deadlineMs} ms` : String(error), ms: performance.now() - started }
    }
  }

  function request(route: Route, query: Record<string, string>) {
    const search = new URLSearchParams(query).toString()
    const staff = { cookie: `session=${session}` }
    const api = { authorization: `Bearer ${tokens[requests++ % tokens.length]}` }
    const region = fixture.regionId
    switch (route) {
      case 'page':
        return fetchWithDeadline(`/admin/dashboard/${region}?${search}`, staff)
      case 'print':
        return fetchWithDeadline(`/admin/dashboard/${region}?${search}&print=1`, staff)
      case 'csv':
        return fetchWithDeadline(`/admin/dashboard/${region}/export.csv?${search}`, staff)
      case 'pdf':
        return fetchWithDeadline(`/admin/dashboard/${region}/report.pdf?${search}`, staff)
      case 'share':
        return fetchWithDeadline(`/r/${shareToken}?${search}`)
      case 'share-pdf':
        return fetchWithDeadline(`/r/${shareToken}/report.pdf?${search}`)
      default:
        return fetchWithDeadline(`/api/v1/regions/${region}/${route}?${search}`, api)
    }
  }

  const query = fc
    .record(
      {
        period,
        from: day,
        to: day,
        partner: fc.oneof(fc.constant(String(fixture.partnerId)), fc.nat().map(String), fc.string({ maxLength: 12 }), fc.constant('9'.repeat(40))),
        location: fc.oneof(fc.constant(String(fixture.locationId)), fc.string({ maxLength: 12 })),
        age: fc.constantFrom('18_24', 'not_given', ''),
        lang: fc.constantFrom('nl', 'en', 'ar', ''),
      },
      { requiredKeys: [] },
    )
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>)

  // The first request of each kind in a fresh process pays for compiling its code paths
  // (well over a second for the first PDF on a busy machine): that is not what is measured.
  // The second round gives the time of an ordinary request of each route, on this machine now.
  let ordinary = 0
  for (const round of [1, 2]) {
    for (const route of routes) {
      for (const lang of ['nl', 'en']) {
        const answer = await request(route, { period: 'year', lang })
        if (round === 2) ordinary = Math.max(ordinary, answer.ms)
      }
    }
  }
  deadlineMs = Math.max(1000, Math.ceil(4 * ordinary))
  t.comment(`slowest ordinary request ${Math.round(ordinary)} ms: deadline ${deadlineMs} ms`)

  const failures: string[] = []
  let slowest = 0
  const details = await fc.check(
    fc.asyncProperty(fc.constantFrom(...routes), query, async (route, query) => {
      const [answer, health] = await Promise.all([request(route, query), fetchWithDeadline('/healthz')])
      slowest = Math.max(slowest, answer.ms)
      const what = `${route} ${new URLSearchParams(query).toString()}`
      if ('error' in answer) failures.push(`${what}: ${answer.error}`)
      else if (answer.status >= 500) failures.push(`${what}: status ${answer.status}`)
      else if (answer.ms > deadlineMs) failures.push(`${what}: ${Math.round(answer.ms)} ms`)
      if (!('status' in health) || health.status !== 200) failures.push(`/healthz during ${what}: ${'error' in health ? health.error : health.status}`)
      return failures.length === 0
    }),
    {
      // CI's short configuration (TEST_PROFILE=short) tries 100 random requests after the four
      // known attacks; a plain npm test tries 300.
      numRuns: process.env.TEST_PROFILE === 'short' ? 100 : 300,
      // A hung server answers nothing more: shrinking would only wait for more deadlines.
      endOnFailure: true,
      seed: process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED),
      examples: [
        ['page', { period: 'custom', from: '9999-12-30', to: '9999-12-31' }],
        ['summary', { period: 'custom', from: '9999-12-30', to: '9999-12-31' }],
        ['csv', { period: 'custom', from: '0000-01-01', to: '0004-12-31' }],
        ['weekly', { period: 'custom', from: '2026-11-27', to: '2021-11-28' }],
      ],
    },
  )
  t.same(failures, [], `every answer within ${deadlineMs} ms and below 500 (${details.numRuns} runs, seed ${details.seed}, slowest ${Math.round(slowest)} ms)`)

  // Whatever happened above, the citizen form and /healthz still answer.
  const form = await fetchWithDeadline(`/q/${fixture.code}`)
  t.same('status' in form ? form.status : form.error, 200, 'the citizen form answers afterwards')
  const health = await fetchWithDeadline('/healthz')
  t.same('status' in health ? health.status : health.error, 200, '/healthz answers afterwards')
  server.child.kill('SIGKILL')
  await server.exited
})
