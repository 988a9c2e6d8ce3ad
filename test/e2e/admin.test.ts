import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { createLocation } from '../../src/admin/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The management pages in a real browser (Debian's Chromium): signing in through the form,
 * creating posters by ticking locations, on a laptop and on a phone; axe-core's WCAG 2.2
 * A/AA rules on every page visited; no sideways scrolling of the page on a phone.
 * Screenshots go to test/artifacts/admin-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

async function server(t: Parameters<typeof buildTestApp>[0]) {
  // Plain http, as on a laptop: no upgrade-insecure-requests, no __Host- cookies.
  const ctx = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' })
  const fixture = await seedPoster(ctx.database)
  await createLocation(ctx.database.db, fixture.regionId, { name: 'Buurthuis De Kei', municipality: 'Riemst', address: 'Kerkstraat 4' })
  await createLocation(ctx.database.db, fixture.regionId, { name: 'Jeugdhuis Den Dijk', municipality: 'Bilzen' })
  await makeUser(ctx.database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await makeUser(ctx.database.db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...ctx, fixture, base }
}

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/login`)
  await page.fill('#f-email', email)
  await page.fill('#f-password', testPassword)
  await page.click('main button')
  await page.waitForURL(`${base}/admin`)
}

type TestContext = Pick<typeof t, 'same' | 'ok'>

async function check(t: TestContext, page: Page, name: string) {
  const violations = await axeViolations(page)
  t.same(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`), [], `${name}: no axe violations`)
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  t.ok(sideways <= 0, `${name}: the page does not scroll sideways (${sideways}px)`)
  await screenshot(page, `admin-${name}`)
}

t.test('a coordinator on a laptop: sign in, create posters for two locations, invite a partner member', async (t) => {
  const ctx = await server(t)
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'nl' })
  const page = await context.newPage()
  await page.goto(`${ctx.base}/login`)
  await page.fill('#f-email', 'coord@example.be')
  await page.fill('#f-password', 'wrong password here')
  await Promise.all([page.waitForNavigation(), page.click('main button')])
  t.match(await page.textContent('main'), 'horen niet bij elkaar')
  await check(t, page, 'login-error')

  await signIn(page, ctx.base, 'coord@example.be')
  await check(t, page, 'home')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}`)
  await check(t, page, 'region')

  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/activities/${ctx.fixture.activityId}`)
  await page.check('text=Buurthuis De Kei')
  await page.check('text=Jeugdhuis Den Dijk')
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Affiches maken")')])
  const codes = await page.$$eval('tbody code', (cells) => cells.map((cell) => cell.textContent))
  t.equal(codes.length, 3, 'the activity now lists three posters')
  await check(t, page, 'activity')

  await Promise.all([page.waitForNavigation(), page.click('tbody tr:first-child button:has-text("Pauzeren")')])
  t.match(await page.textContent('tbody'), 'Gepauzeerd')

  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/posters`)
  await check(t, page, 'posters')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/themes`)
  await check(t, page, 'themes')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/locations`)
  await page.fill('#f-name', 'Zaal zonder coördinaten')
  await page.fill('#f-latitude', 'noord')
  await Promise.all([page.waitForNavigation(), page.click('main form button')])
  t.match(await page.textContent('#field-latitude'), 'Typ een getal')
  t.equal(await page.inputValue('#f-name'), 'Zaal zonder coördinaten', 'the input is kept')
  await check(t, page, 'locations-error')

  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/users`)
  await page.fill('#f-email', 'nieuw@example.be')
  await page.selectOption('#f-role', 'partner')
  await page.selectOption('#f-partner_id', String(ctx.fixture.partnerId))
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Uitnodiging maken")')])
  t.match(await page.textContent('.link'), /^http:\/\/127\.0\.0\.1\/login\/invite\//)
  await check(t, page, 'users-invited')
  await page.click('.top button')
  await page.waitForURL(`${ctx.base}/login`)
  await context.close()
})

t.test('a partner member on a phone (360 px): activities and their posters', async (t) => {
  const ctx = await server(t)
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, locale: 'nl' })
  const page = await context.newPage()
  await signIn(page, ctx.base, 'lid@example.be')
  await check(t, page, 'phone-home')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/activities`)
  await check(t, page, 'phone-activities')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/activities/${ctx.fixture.activityId}`)
  await check(t, page, 'phone-activity')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/posters?lang=en`)
  t.match(await page.textContent('h1'), 'Posters')
  await check(t, page, 'phone-posters-en')
  await context.close()
})
