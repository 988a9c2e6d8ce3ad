import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { buildTestApp } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { buildWorld } from '../dashboard/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The walk-in point's form in Chromium, at phone (390 px) and laptop width: empty, with the
 * messages of contact details given without the consent read aloud, and after saving; and
 * the dashboard's filter form with the assisted switch. axe-core's WCAG 2.2 A/AA rules on
 * each; screenshots test/artifacts/assisted-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())
t.setTimeout(300_000)

const report = (violations: Awaited<ReturnType<typeof axeViolations>>) => violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)})`)

t.test('a bridge figure records a question at the desk, on a phone and a laptop: no axe violations', { skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' })
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [world.regionId] })
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [world.regionId] })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const path = `${base}/admin/regions/${world.regionId}/assisted`

  for (const [device, options] of [
    ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
    ['laptop', { viewport: { width: 1280, height: 900 } }],
  ] as const) {
    const context = await browser.newContext({ ...options, locale: 'nl' })
    const page = await context.newPage()
    await page.goto(`${base}/login`)
    await page.fill('#f-email', 'brug@example.be')
    await page.fill('#f-password', testPassword)
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])

    await page.goto(path)
    t.same(report(await axeViolations(page)), [], `${device}: the empty form`)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= (options.viewport.width as number), `${device}: no sideways scrolling (${width} px)`)
    await screenshot(page, `assisted-form-${device}`)

    await page.selectOption('#f-poster_id', { label: 'Repair Café in Bib Hasselt' })
    await page.check('input[name="tried_new"][value="yes"]')
    await page.check('input[name="themes"] >> nth=0')
    await page.fill('#f-free_text', 'Ze wil leren werken met de computer')
    await page.fill('#f-contact_name', 'Amina')
    await page.fill('#f-contact_value', '0470 12 34 56')
    await Promise.all([page.waitForNavigation(), page.click('form.card > button')])
    t.equal(await page.locator('.summary li').count(), 1, `${device}: one message in the summary`)
    t.match(await page.locator('#f-contact_consent-error').innerText(), /Lees de toestemming voor/, `${device}: next to the box`)
    t.same(report(await axeViolations(page)), [], `${device}: the form with its message`)
    await screenshot(page, `assisted-form-error-${device}`)

    await page.check('#f-contact_consent')
    await Promise.all([page.waitForNavigation(), page.click('form.card > button')])
    t.match(await page.locator('[role="status"]').innerText(), /gemarkeerd als antwoord met hulp/, `${device}: saved`)
    t.same(report(await axeViolations(page)), [], `${device}: after saving`)
    await screenshot(page, `assisted-saved-${device}`)
    await context.close()
  }
  const stored = await db.selectFrom('responses').select(['assisted']).execute()
  t.same(stored.map((row) => row.assisted), [1, 1], 'two assisted answers, one per device')
  t.equal((await db.selectFrom('contact_requests').select('id').execute()).length, 2, 'each with its contact request')

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' })
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('#f-email', 'coord@example.be')
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.goto(`${base}/admin/dashboard/${world.regionId}?period=month&assisted=only`)
  t.equal(await page.locator('select[name="assisted"]').inputValue(), 'only', 'the dashboard keeps the switch')
  t.same(report(await axeViolations(page)), [], 'the dashboard with the switch')
  const laptop = await screenshot(page, 'assisted-dashboard-laptop')
  if (process.env.TEST_PROFILE !== 'short') await page.locator('form:has(select[name="assisted"])').screenshot({ path: laptop.replace(/\.png$/, '-form.png') })
  await context.close()
})
