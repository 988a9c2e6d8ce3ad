import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { createLocation } from '../../src/admin/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { artifacts, axeViolations, launchBrowser, screenshot } from './browser.ts'

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
  // On a phone the menu is folded behind "Menu": the page's heading is on the first screen.
  const menu = page.locator('details.menu-fold')
  t.ok(await menu.locator('summary').isVisible(), 'the folded menu shows its button')
  t.notOk(await page.locator('nav.menu.wide').isVisible(), 'the laptop band is not shown')
  t.notOk(await menu.locator('a:has-text("Affiches")').isVisible(), 'the menu items wait behind the button')
  const headingTop = await page.locator('main h1').evaluate((h) => h.getBoundingClientRect().top)
  t.ok(headingTop < 320, `the heading starts within half the screen (${Math.round(headingTop)} of 640 px)`)
  await menu.locator('summary').tap()
  t.ok(await menu.locator('a:has-text("Affiches")').isVisible(), 'a tap opens the menu')
  await check(t, page, 'phone-menu-open')
  await Promise.all([page.waitForNavigation(), menu.locator('a:has-text("Affiches")').tap()])
  t.match(await page.textContent('h1'), 'Affiches', 'a menu item leads to its page')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/activities/${ctx.fixture.activityId}`)
  await check(t, page, 'phone-activity')
  await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/posters?lang=en`)
  t.match(await page.textContent('h1'), 'Posters')
  await check(t, page, 'phone-posters-en')
  await context.close()
})

t.test('accounts and the location picker at 390 px and 1280 px: confirm before disabling, reset link, labels that wrap', async (t) => {
  const ctx = await server(t)
  const db = ctx.database.db
  await makeUser(db, 'partner', 'lotte.vanderheyden-smeets@example.be', { partnerIds: [ctx.fixture.partnerId] })
  const gone = await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [ctx.fixture.regionId] })
  await db.updateTable('users').set({ disabled_at: '2025-03-01T10:00:00.000Z' }).where('id', '=', gone).execute()
  // Long names and municipalities, as the picker cut them off: "(Tongere".
  for (const [name, municipality] of [
    ['Openbare Bibliotheek Tongeren-Borgloon, filiaal Sint-Truidersteenweg', 'Tongeren'],
    ['Centrum voor Volwassenenonderwijs Limburg Zuid', 'Sint-Truiden'],
    ['Dienstencentrum', 'Kortessem-Wellen-Herstappe'],
  ]) await createLocation(db, ctx.fixture.regionId, { name: name!, municipality: municipality! })
  const users = `${ctx.base}/admin/regions/${ctx.fixture.regionId}/users`

  for (const [width, height, label] of [[390, 844, 'phone'], [1280, 800, 'laptop']] as const) {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'nl', ...(width < 500 ? { isMobile: true, hasTouch: true } : {}) })
    const page = await context.newPage()
    await signIn(page, ctx.base, 'coord@example.be')

    await page.goto(users)
    t.match(await page.textContent('tbody'), /Uitgeschakeld sinds 2025-03-01/, `${label}: a disabled account is listed as such`)
    await check(t, page, `users-${label}`)
    await Promise.all([page.waitForNavigation(), page.click('a[aria-label="partner lid uitschakelen"]')])
    t.match(await page.textContent('main'), 'Wil je het account van partner lid (lid@example.be) uitschakelen?')
    await check(t, page, `users-disable-confirm-${label}`)
    await Promise.all([page.waitForNavigation(), page.click('main button:has-text("Ja, partner lid uitschakelen")')])
    t.match(await page.textContent('[role="status"]'), 'Het account is uitgeschakeld.')
    await check(t, page, `users-disabled-${label}`)
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label="partner lid weer inschakelen"]')])
    t.match(await page.textContent('[role="status"]'), 'weer ingeschakeld')
    await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Resetlink maken voor partner lid"]')])
    const link = (await page.textContent('.link'))!
    t.match(link, /^http:\/\/127\.0\.0\.1\/login\/reset\/[A-Za-z0-9_-]{43}$/)
    await check(t, page, `users-reset-link-${label}`)

    const person = await browser.newContext({ viewport: { width, height }, locale: 'nl' })
    const resetPage = await person.newPage()
    await resetPage.goto(link.replace('http://127.0.0.1', ctx.base))
    await check(t, resetPage, `reset-form-${label}`)
    await person.close()

    await page.goto(`${ctx.base}/admin/regions/${ctx.fixture.regionId}/activities/${ctx.fixture.activityId}`)
    const boxes = await page.$$eval('#f-locations .checks label', (labels) =>
      labels.map((element) => {
        const box = element.getBoundingClientRect()
        return { text: element.textContent!.trim(), left: box.left, right: box.right, top: box.top, bottom: box.bottom, overflow: element.scrollWidth - element.clientWidth }
      }),
    )
    const form = (await page.locator('#f-locations').boundingBox())!
    t.ok(boxes.length >= 5, `${label}: ${boxes.length} locations in the picker`)
    for (const box of boxes) {
      t.ok(box.overflow <= 0 && box.right <= form.x + form.width + 0.5, `${label}: "${box.text}" fits (${box.overflow}px over)`)
    }
    const overlaps = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map((b) => `${a.text} × ${b.text}`))
    t.same(overlaps, [], `${label}: no two labels overlap`)
    t.ok(boxes.some((box) => box.text.endsWith('(Kortessem-Wellen-Herstappe)')), `${label}: the municipality is shown whole`)
    await page.locator('#f-locations').screenshot({ path: `${artifacts}/admin-location-picker-${label}.png` })
    await check(t, page, `activity-picker-${label}`)
    await context.close()
  }
})
