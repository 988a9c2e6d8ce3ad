import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createUser } from '../../src/auth/users.ts'
import { addRegionUpdate } from '../../src/updates/queries.ts'
import { answerStepOne, buildTestApp, seedPoster } from '../helpers.ts'
import { childEnv } from '../ops/server-process.ts'

/**
 * Issue 13, finding 8: the smaller trust items, each attacked through HTTP (or, for the
 * retention script, by running it as a child process the way cron does).
 */

// Scripts start through tsx in a child process: on a busy machine that alone takes a while.
t.setTimeout(300_000)

const metricsToken = 'metrics-token-0123456789abcdef'

t.test('a public page in the language of Accept-Language or the lang cookie tells caches so', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const userId = await createUser(database.db, { email: 'c@example.be', name: 'C', role: 'admin', passwordHash: 'x' })
  await addRegionUpdate(database.db, { regionId: fixture.regionId, themeId: null, body: 'Er komt een fietsatelier.', userId })
  const region = await database.db.selectFrom('regions').select('slug').where('id', '=', fixture.regionId).executeTakeFirstOrThrow()

  for (const url of ['/q', '/Q', `/regio/${region.slug}`, `/q/${fixture.code}/thanks`]) {
    const dutch = await app.inject({ method: 'GET', url, headers: { 'accept-language': 'nl' } })
    const english = await app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } })
    const byCookie = await app.inject({ method: 'GET', url, cookies: { lang: 'en' } })
    t.equal(dutch.statusCode, 200, url)
    // The region page prefers the region's language to Accept-Language; all follow the cookie.
    t.not(dutch.body, byCookie.body, `${url}: the page follows the lang cookie`)
    for (const res of [dutch, english, byCookie]) {
      const cacheControl = String(res.headers['cache-control'] ?? '')
      if (/no-store/.test(cacheControl)) continue
      const vary = String(res.headers.vary ?? '').toLowerCase()
      t.ok(vary.includes('accept-language') && vary.includes('cookie'), `${url} (${cacheControl}) sends Vary: Accept-Language, Cookie (got "${vary}")`)
    }
  }
})

t.test('security headers: a restrictive Permissions-Policy, frames refused everywhere, HSTS for subdomains', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  for (const url of [`/q/${fixture.code}`, '/q', '/admin/sign-in']) {
    const res = await app.inject({ method: 'GET', url })
    const policy = String(res.headers['permissions-policy'] ?? '')
    for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'interest-cohort=()']) t.match(policy, feature, `${url}: ${feature}`)
    t.equal(res.headers['x-frame-options'], 'DENY', `${url}: X-Frame-Options agrees with frame-ancestors 'none'`)
    t.match(String(res.headers['content-security-policy']), "frame-ancestors 'none'")
    t.match(String(res.headers['strict-transport-security']), /max-age=\d+; includeSubDomains/, `${url}: HSTS covers subdomains`)
  }
})

t.test('under https, the language and device cookies are Secure', async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'https://leervraag.example.be' })
  const fixture = await seedPoster(database)
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}?lang=en` })
  const lang = page.cookies.find((c) => c.name === 'lang')
  t.ok(lang, 'the language choice is remembered')
  t.equal(lang?.secure, true, 'lang cookie is Secure')
  const { res } = await answerStepOne(app, fixture.code)
  const device = res.cookies.find((c) => c.name === 'lv_done')
  t.ok(device, 'the device cookie is set')
  t.equal(device?.secure, true, 'device cookie is Secure')
})

t.test('/metrics counts /q/:code and /Q/:code (how phones arrive) as one route', async (t) => {
  const { app, database } = await buildTestApp(t, { METRICS_TOKEN: metricsToken })
  const fixture = await seedPoster(database)
  t.equal((await app.inject({ method: 'GET', url: `/q/${fixture.code}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/Q/${fixture.code}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/Q/${fixture.code}` })).statusCode, 200)
  const text = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } })).body
  t.match(text, 'leervraag_http_requests_total{method="GET",route="/q/:code",status="200"} 3')
  t.notMatch(text, 'route="/Q/', 'no second label for the upper-case prefix')
})

const root = fileURLToPath(new URL('../../', import.meta.url))

function runScript(script: string, env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += String(chunk)))
  child.stderr.on('data', (chunk) => (stderr += String(chunk)))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

t.test('npm run retention on a database that was never migrated says so in one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-retention-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const empty = join(dir, 'never-migrated.db')
  writeFileSync(empty, '')
  const base = { PUBLIC_BASE_URL: 'https://leervraag.example.be', LOG_LEVEL: 'silent' }
  for (const [name, env] of [
    ['never migrated', { ...base, DATABASE_URL: `sqlite:${empty}` }],
    ['a wrong DATABASE_URL', { ...base, DATABASE_URL: 'mysql://nope' }],
  ] as const) {
    const run = await runScript('retention', env)
    t.equal(run.code, 1, `${name}: exits with 1`)
    const lines = run.stderr.trim().split('\n')
    t.equal(lines.length, 1, `${name}: one line on stderr (got: ${run.stderr.slice(0, 300)})`)
    t.match(lines[0], /^leervraag: /, `${name}: a sentence, not a stack trace`)
    t.notMatch(run.stderr, /\n\s+at /, `${name}: no stack`)
  }
})
