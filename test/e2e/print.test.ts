import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { chartLabelSizes, launchBrowser } from './browser.ts'
import type { Browser } from 'playwright-core'

/**
 * The printable report: the dashboard and the share page with `?print=1`, printed to PDF
 * by Chromium on A4. Each must fit one sheet; the PDFs and PNG renderings go to
 * test/artifacts/ so a person can check that the text is readable.
 */

const artifacts = new URL('../artifacts/', import.meta.url)

/** A browser context signed in as this person through the sign-in page. */
async function signedInContext(browser: Browser, address: string, email: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${address}/login`)
  await page.fill('#f-email', email)
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${address}/admin`), page.click('main button')])
  await page.close()
  return context
}

function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
}

t.test('the dashboard and the share page print on one A4 page', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  // Plain http (no __Host- cookies), the clock pinned to the data set's last day.
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => now })
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  const coordinator = await makeUser(database.db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  const { token } = await createShareLink(database.db, world.regionId, coordinator)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  mkdirSync(artifacts, { recursive: true })
  const context = await signedInContext(browser, address, 'coordinator@example.be')

  for (const [name, url] of [
    ['report-dashboard', `/admin/dashboard/${world.regionId}?period=month&print=1`],
    ['report-share', `/r/${token}?period=month&print=1`],
  ] as const) {
    const page = await context.newPage()
    const response = await page.goto(address + url)
    t.equal(response?.status(), 200, name)
    t.equal(await page.locator('form.filters').count(), 0, `${name}: no filter form in the print view`)
    // Measured in print media on a viewport as wide as the printed A4 area (210 − 2 × 11 mm).
    await page.setViewportSize({ width: Math.round((188 / 25.4) * 96), height: 1100 })
    await page.emulateMedia({ media: 'print' })
    const labelPt = (await page.evaluate(chartLabelSizes)) as number[]
    t.ok(labelPt.length > 0, `${name}: the printed charts have labels`)
    t.ok(Math.min(...labelPt) >= 8, `${name}: chart labels print at 8 pt or more (smallest ${Math.min(...labelPt).toFixed(1)} pt)`)
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    const file = new URL(`${name}.pdf`, artifacts).pathname
    writeFileSync(file, pdf)
    t.equal(pdfPages(pdf), 1, `${name}: one A4 page`)
    try {
      execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', file, file.replace(/\.pdf$/, '')])
    } catch {
      t.comment('pdftoppm not available: no PNG rendering')
    }
    await page.close()
  }
})

t.test('a region with many partners, locations and activities still prints on one A4 page', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { seedDemo } = await import('../../scripts/seed-demo.ts')
  const demoNow = new Date('2026-11-28T12:00:00Z')
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => demoNow })
  const summary = await seedDemo(database.db, { now: demoNow, responses: 3000 })
  const region = summary.regions[0]!
  await makeUser(database.db, 'admin', 'print-admin@example.be')
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  mkdirSync(artifacts, { recursive: true })
  const page = await (await signedInContext(browser, address, 'print-admin@example.be')).newPage()
  for (const period of ['quarter', 'year']) {
    const response = await page.goto(`${address}/admin/dashboard/${region.id}?period=${period}&print=1&lang=en`)
    t.equal(response?.status(), 200)
    const rows = await page.locator('section[aria-labelledby="h-activity"] tbody tr').count()
    t.ok(rows > 7, `${period}: the screen table has every activity (${rows} rows)`)
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    writeFileSync(new URL(`report-demo-${period}.pdf`, artifacts).pathname, pdf)
    t.equal(pdfPages(pdf), 1, `${period}: one A4 page`)
    await page.emulateMedia({ media: 'print' })
    t.ok(await page.locator('section[aria-labelledby="h-activity"] tr.paper-only').isVisible(), `${period}: on paper, "and N more" stands under the activities`)
    t.notOk(await page.locator('section.words').isVisible(), `${period}: the word lists stay on the screen`)
    // Back to no emulation: page.pdf() prints with print media unless screen is emulated.
    await page.emulateMedia({ media: null })
  }
})
