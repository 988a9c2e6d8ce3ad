import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { createLocation } from '../../src/admin/queries.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { decodeQrFile, mediaBoxes, pdfText } from '../posters/pdf-tools.ts'
import { artifacts, axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The poster print page in Chromium, as a partner member uses it: at phone (390 px) and
 * laptop (1280 px) width, axe-core's WCAG 2.2 A/AA rules, no sideways scrolling, the SVG
 * preview's QR decoded from a screenshot by zbar (as a phone would), and the "PDF
 * downloaden" button clicked after changing format and language, without JavaScript
 * and without "Voorbeeld bijwerken". Screenshots: test/artifacts/print-*.png.
 */

t.setTimeout(300_000)

t.test('the print page and the batch page in a browser', { skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' })
  const db = database.db
  const mine = await seedPoster(database)
  // A long, hostile title: it must wrap on the poster and in the page, and never run as markup.
  await db.updateTable('activities').set({ title: 'Repair Café </text><script>alert(1)</script> "><img src=x onerror=alert(2)> met een lange naam' }).where('id', '=', mine.activityId).execute()
  await createPoster(db, { activityId: mine.activityId, locationId: await createLocation(db, mine.regionId, { name: 'Zaal De Kring' }) })
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [mine.partnerId] })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())

  const dialogs: string[] = []
  const contexts = {
    laptop: await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' }),
    phone: await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', isMobile: true, hasTouch: true }),
    // The download is tried with JavaScript off: the form alone must send the choices.
    noScript: await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', javaScriptEnabled: false, acceptDownloads: true }),
  }
  for (const context of Object.values(contexts)) {
    const page = await context.newPage()
    await page.goto(`${base}/login`)
    await page.fill('#f-email', 'partner@example.be')
    await page.fill('#f-password', testPassword)
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
    await page.close()
  }

  const print = `/admin/posters/${mine.posterId}`
  for (const [width, context] of [['laptop', contexts.laptop], ['phone', contexts.phone]] as const) {
    const page: Page = await context.newPage()
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    t.equal((await page.goto(base + print))?.status(), 200)
    // The preview image has loaded and has the poster's shape (A4 portrait).
    const size = await page.locator('img.paper').evaluate((element) => {
      const img = element as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number }
      return [img.complete, img.naturalWidth, img.naturalHeight] as const
    })
    t.ok(size[0] && size[1] > 0, `${width}: the preview loaded`)
    t.ok(Math.abs(size[2] / size[1] - 297 / 210) < 0.01, `${width}: the preview is an A4 page (${size[1]} × ${size[2]})`)
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)}`), [], `${width}: no axe violations on the print page`)
    const sideways = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
    t.ok(sideways <= 0, `${width}: no sideways scrolling (${sideways}px)`)
    await screenshot(page, `print-page-${width}`)
    await page.goto(`${base}/admin/posters/batch/activity/${mine.activityId}`)
    t.same((await axeViolations(page)).map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)}`), [], `${width}: no axe violations on the batch page`)
    t.ok(((await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number) <= 0, `${width}: the batch page does not scroll sideways`)
    await screenshot(page, `print-batch-${width}`)
    await page.close()
  }

  // The preview's QR scans: the SVG alone, drawn by Chromium, decoded by zbar from pixels.
  const svgPage = await contexts.laptop.newPage()
  await svgPage.setViewportSize({ width: 794, height: 1123 })
  const svg = await svgPage.goto(`${base}${print}/preview.svg?format=a4&language=fr&language2=nl`)
  t.equal(svg?.headers()['content-type'], 'image/svg+xml; charset=utf-8')
  t.equal(await svgPage.locator('script').count(), 0, 'opened on its own: no script element in the SVG document')
  t.match(await svgPage.locator('text').allTextContents().then((texts) => texts.join(' ')), /Repair Café <\/text><script>alert\(1\)<\/script>/, 'the hostile title is drawn as text')
  const shot = join(artifacts, 'print-preview-svg.png')
  await svgPage.screenshot({ path: shot })
  t.same(await decodeQrFile(shot), [`HTTP://127.0.0.1/Q/${mine.code}`], 'the preview’s QR decodes to the poster’s address')
  await svgPage.close()

  // Change format and languages, then press "PDF downloaden" straight away (no JavaScript on).
  const page = await contexts.noScript.newPage()
  await page.goto(base + print)
  await page.selectOption('#p-format', 'a3')
  await page.selectOption('#p-language', 'en')
  await page.selectOption('#p-language2', 'fr')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PDF downloaden' }).click()])
  const pdf = readFileSync((await download.path())!)
  t.same(mediaBoxes(pdf).map((box) => Math.round(box.width)), [842], 'the download is A3, as chosen')
  const text = (await pdfText(pdf)).replace(/\s+/g, ' ')
  t.ok(text.indexOf('Did you try something new today?') >= 0 && text.indexOf('Did you try') < text.indexOf('As-tu essayé'), 'in English, then French')
  t.equal(page.url(), base + print, 'the page stays where it was')
  t.same(dialogs, [], 'no script from the title ever ran')
})
