import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import t from 'tap'
import dashboardRoutes from '../../src/dashboard/routes.ts'
import shareRoutes from '../../src/dashboard/share-routes.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'
import { makeUser } from '../auth/browser.ts'
import { chartLabelSizes, launchBrowser } from './browser.ts'

/**
 * The printable report: the dashboard and the share page with `?print=1`, printed to PDF
 * by Chromium on A4. Each must fit one sheet; the PDFs and PNG renderings go to
 * test/artifacts/ so a person can check that the text is readable.
 */

const artifacts = new URL('../artifacts/', import.meta.url)

function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
}

t.test('the dashboard and the share page print on one A4 page', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  await app.register(dashboardRoutes, { prefix: '/plugin', access: () => ({ regionIds: [world.regionId] }), now: () => now })
  await app.register(shareRoutes, { prefix: '/pinned', now: () => now })
  const coordinator = await makeUser(database.db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  const { token } = await createShareLink(database.db, world.regionId, coordinator)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  mkdirSync(artifacts, { recursive: true })

  for (const [name, url] of [
    ['report-dashboard', `/plugin/dashboard/${world.regionId}?period=4w&print=1`],
    ['report-share', `/pinned/r/${token}?period=4w&print=1`],
  ] as const) {
    const page = await browser.newPage()
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
