import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { addRegionUpdate } from '../../src/updates/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The pages a coordinator works with around the dashboard, in Chromium, checked with
 * axe-core's WCAG 2.2 A/AA rules: the dashboard (screen and print view, laptop and
 * phone), the share page (screen and print), the public updates page, and the region,
 * themes, share-links and updates management pages. Screenshots: test/artifacts/a11y-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

// axe on a full dashboard takes several seconds a page on a busy two-core machine.
t.setTimeout(600_000)

t.test('axe-core finds no WCAG 2.2 A/AA violations on the dashboard and the coordinator’s pages', { timeout: 600_000, skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  // Plain http, as on a laptop: no upgrade-insecure-requests, no __Host- cookies.
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' })
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const slug = (await db.selectFrom('regions').select('slug').where('id', '=', world.regionId).executeTakeFirstOrThrow()).slug
  const coordinator = await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [world.regionId] })
  const { token } = await createShareLink(db, world.regionId, coordinator)
  await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes[0]!.id, body: 'We starten in januari een cursus digitale vaardigheden in Genk.', userId: coordinator })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  const laptop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' })
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', isMobile: true, hasTouch: true })
  for (const context of [laptop, phone]) {
    const page = await context.newPage()
    await page.goto(`${base}/login`)
    await page.fill('#f-email', 'coord@example.be')
    await page.fill('#f-password', testPassword)
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
    await page.close()
  }

  const dashboard = `/admin/dashboard/${world.regionId}`
  const pages: [name: string, path: string, options?: { phone?: boolean; print?: boolean }][] = [
    ['dashboard', `${dashboard}?period=month`],
    ['dashboard-phone', `${dashboard}?period=month`, { phone: true }],
    ['dashboard-print-view', `${dashboard}?period=month&print=1`],
    ['dashboard-print-media', `${dashboard}?period=month&print=1`, { print: true }],
    ['share', `/r/${token}?period=month`],
    ['share-phone', `/r/${token}?period=month`, { phone: true }],
    ['share-print-view', `/r/${token}?period=month&print=1`],
    ['public-updates', `/regio/${slug}`],
    ['public-updates-phone', `/regio/${slug}`, { phone: true }],
    ['region', `/admin/regions/${world.regionId}`],
    ['themes', `/admin/regions/${world.regionId}/themes`],
    ['share-links', `${dashboard}/share`],
    ['updates-admin', `/admin/regions/${world.regionId}/updates`],
  ]
  let checked = 0
  let found = 0
  for (const [name, path, options = {}] of pages) {
    const page: Page = await (options.phone ? phone : laptop).newPage()
    const response = await page.goto(base + path)
    t.equal(response?.status(), 200, `${name}: 200`)
    if (options.print) await page.emulateMedia({ media: 'print' })
    const violations = await axeViolations(page)
    checked++
    found += violations.reduce((sum, v) => sum + v.nodes.length, 0)
    t.same(
      violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 400)}`),
      [],
      `${name}: no axe violations`,
    )
    if (!options.print) {
      const sideways = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
      t.ok(sideways <= 0, `${name}: no sideways scrolling (${sideways}px)`)
    }
    await screenshot(page, `a11y-${name}`)
    await page.close()
  }
  t.comment(`axe: ${checked} pages checked, ${found} violating elements`)
  t.equal(checked, pages.length)
  await laptop.close()
  await phone.close()
})
