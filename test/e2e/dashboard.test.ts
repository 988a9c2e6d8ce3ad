import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'
import { chromium } from 'playwright-core'
import { buildTestApp } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'
import { chartLabelSizes } from './browser.ts'

/**
 * The dashboard as a coordinator sees it, in a real browser: a screenshot on screen and
 * in print (test/artifacts/), and no serious accessibility violation found by axe-core.
 */

const artifacts = new URL('../artifacts/', import.meta.url)
const chromiumPath = '/usr/bin/chromium'

t.test('the dashboard in Chromium: screen, print and accessibility', { skip: !existsSync(chromiumPath) && 'no Chromium' }, async (t) => {
  // Plain http: the session cookie has no __Host- prefix, which needs https.
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => now })
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  await makeUser(database.db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  t.teardown(() => browser.close())
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${address}/login`)
  await page.fill('#f-email', 'coordinator@example.be')
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${address}/admin`), page.click('main button')])
  const response = await page.goto(`${address}/admin/dashboard/${world.regionId}?period=month`)
  t.equal(response?.status(), 200)
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: new URL('dashboard.png', artifacts).pathname, fullPage: true })
  const laptopPx = ((await page.evaluate(chartLabelSizes)) as number[]).map((pt) => pt / 0.75)
  t.ok(Math.min(...laptopPx) >= 11, `chart labels on a laptop are at least 11 px (smallest ${Math.min(...laptopPx).toFixed(1)} px)`)
  await page.emulateMedia({ media: 'print' })
  await page.screenshot({ path: new URL('dashboard-print.png', artifacts).pathname, fullPage: true })
  await page.emulateMedia({ media: 'screen' })

  const require = createRequire(import.meta.url)
  const axe = require('axe-core') as { source: string }
  await page.evaluate(axe.source)
  // Run in the page, where `axe` is a global; written as a string because this file has no DOM types.
  const violations = (await page.evaluate('axe.run()')) as { violations: { id: string; impact: string }[] }
  const found = violations.violations
  const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  t.same(serious.map((v) => v.id), [], 'no serious or critical axe violations')

  // The same session (cookies are per context), on a phone-sized page.
  const phone = await context.newPage()
  await phone.setViewportSize({ width: 390, height: 800 })
  await phone.goto(`${address}/admin/dashboard/${world.regionId}?period=month`)
  const overflow = (await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number
  t.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`)
  await phone.screenshot({ path: new URL('dashboard-phone.png', artifacts).pathname, fullPage: true })
  const phonePx = ((await phone.evaluate(chartLabelSizes)) as number[]).map((pt) => pt / 0.75)
  t.ok(phonePx.length > 0 && Math.min(...phonePx) >= 9.5, `chart labels on a 390 px phone are at least 9.5 px (smallest ${Math.min(...phonePx).toFixed(1)} px)`)
})
