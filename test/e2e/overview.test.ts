import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser, BrowserContext } from 'playwright-core'
import { createTheme } from '../../src/admin/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { buildPlanningWorld, now } from '../planning/world.ts'
import { artifacts, axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The overview over several regions (issue 18) in Chromium, at laptop (1280 px) and phone
 * (390 px) width, for a coordinator of two regions: no axe-core WCAG 2.2 A/AA violations,
 * no sideways scrolling, the link at the end of the region switcher. Screenshots:
 * test/artifacts/overview-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())
t.setTimeout(600_000)

async function signIn(context: BrowserContext, base: string, email: string) {
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('#f-email', email)
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.close()
}

t.test('the overview over two regions, laptop and phone', { timeout: 600_000, skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => now })
  const db = database.db
  const north = await buildPlanningWorld(db)
  const south = await buildPlanningWorld(db, { seed: 7, name: 'Regio Haspengouw' })
  await createTheme(db, south.regionId, { slug: 'fietsherstel', icon: null, labels: { nl: 'Fietsherstel', en: 'Bicycle repair' }, keywords: {}, position: 50, hidden: false })
  await makeUser(db, 'coordinator', 'two-regions@example.be', { regionIds: [north.regionId, south.regionId] })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const contexts = {
    laptop: await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' }),
    phone: await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', isMobile: true, hasTouch: true }),
  }
  for (const context of Object.values(contexts)) await signIn(context, base, 'two-regions@example.be')

  // From a region's planning page, the switcher's last link opens the overview.
  const start = await contexts.laptop.newPage()
  await start.goto(`${base}/admin/regions/${north.regionId}/planning`)
  await Promise.all([start.waitForURL(`${base}/admin/planning/overview`), start.click('nav.switch a[href="/admin/planning/overview"]')])
  t.match(await start.locator('h1').innerText(), /Overzicht over je regio/)
  await start.close()

  for (const [name, context, path] of [
    ['overview', 'laptop', '/admin/planning/overview'],
    ['overview-phone', 'phone', '/admin/planning/overview'],
    ['overview-en', 'laptop', '/admin/planning/overview?period=2026-08&lang=en'],
  ] as const) {
    const page = await contexts[context].newPage()
    const response = await page.goto(base + path)
    t.equal(response?.status(), 200, `${name}: 200`)
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 400)}`), [], `${name}: no axe violations`)
    const sideways = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
    t.ok(sideways <= 0, `${name}: no sideways scrolling (${sideways}px)`)
    await screenshot(page, name)
    await page.close()
  }

  // On the phone each theme is a card, each region's figure with the region's name.
  const phone = await contexts.phone.newPage()
  await phone.goto(`${base}/admin/planning/overview`)
  const first = phone.locator('.overview-table tbody tr').first()
  const label = await first.locator('td').first().evaluate((cell) => getComputedStyle(cell, '::before').content)
  t.equal(label, '"Regio Haspengouw"', 'each figure carries its region’s name on the phone')
  await first.scrollIntoViewIfNeeded()
  await phone.screenshot({ path: `${artifacts}/overview-phone-cards.png` })
  const box = await first.boundingBox()
  t.ok(box && box.width <= 390, 'the card fits the phone')
  await phone.close()
  for (const context of Object.values(contexts)) await context.close()
})
