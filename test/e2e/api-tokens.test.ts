import t from 'tap'
import type { Browser } from 'playwright-core'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The API token page in a real browser, on a phone: reached from the region page, a name
 * left empty, a token made and used against the running server, then revoked. axe-core's
 * WCAG 2.2 A/AA rules on each state; no sideways scrolling (the token is long).
 * Screenshots: test/artifacts/api-tokens-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

t.test('a coordinator on a phone makes a token, uses it, and revokes it', async (t) => {
  const ctx = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' })
  const fixture = await seedPoster(ctx.database)
  await makeUser(ctx.database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' })

  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, locale: 'nl' })
  const page = await context.newPage()
  const check = async (name: string) => {
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`), [], `${name}: no axe violations`)
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    t.ok(sideways <= 0, `${name}: the page does not scroll sideways (${sideways}px)`)
    await screenshot(page, `api-tokens-${name}`)
  }

  await page.goto(`${base}/login`)
  await page.fill('#f-email', 'coord@example.be')
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.goto(`${base}/admin/regions/${fixture.regionId}`)
  await Promise.all([page.waitForNavigation(), page.click('.tiles a:has-text("API-tokens")')])
  t.equal(new URL(page.url()).pathname, `/admin/regions/${fixture.regionId}/api-tokens`, 'the region page leads to the token page')
  await check('empty')

  // Only spaces get past the browser's own `required` check: the server refuses them.
  await page.fill('#f-name', '   ')
  await Promise.all([page.waitForNavigation(), page.click('main form.card button')])
  t.match(await page.textContent('#field-name .error'), 'Vul dit in.')
  await check('error')
  await page.fill('#f-name', 'Stad Tongeren, datateam')
  await Promise.all([page.waitForNavigation(), page.click('main form.card button')])
  const token = (await page.textContent('.note .link'))!.trim()
  t.match(token, /^lvapi_[\w-]{43}$/, 'the token is shown')
  await check('created')

  const url = `${base}/api/v1/regions/${fixture.regionId}/summary?period=month`
  const used = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  t.equal(used.status, 200, 'the token opens the API')
  t.equal((await used.json()).region.id, fixture.regionId)

  await page.goto(`${base}/admin/regions/${fixture.regionId}/api-tokens`)
  t.notMatch(await page.textContent('main'), token, 'the token is not shown again')
  t.match(await page.textContent('tbody'), 'Stad Tongeren, datateam')
  await check('list')
  await Promise.all([page.waitForNavigation(), page.click('tbody button:has-text("Intrekken")')])
  t.match(await page.textContent('main'), 'Er zijn geen actieve tokens.')
  t.equal((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status, 401, 'revoked: the API refuses it')
  await context.close()
})
