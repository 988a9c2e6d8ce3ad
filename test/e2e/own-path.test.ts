import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { addDays, localDay } from '../../src/answers/index.ts'
import { addStep } from '../../src/followup/paths.ts'
import { ownPathWorld } from '../followup/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The person's own path page (the private link of the thank-you page) on a phone, in Dutch
 * and in Arabic, with two steps and a referral, and a new question sent from it: axe-core's
 * WCAG 2.2 A/AA rules, no sideways scrolling; screenshots in test/artifacts/own-path-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

t.test('the own path page on a phone, nl and ar', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const w = await ownPathWorld(t)
  const db = w.database.db
  const link = await w.ask('ar', 'أريد أن أتعلم الخياطة')
  const request = await db.selectFrom('contact_requests').select('id').executeTakeFirstOrThrow()
  const bridge = await w.account('bridge', [w.a.regionId])
  const step = { on_day: localDay(), note: null, step_offer: null, step_next: null }
  t.equal(await addStep(db, w.a.regionId, request.id, bridge.id, { ...step, kind: 'conversation' }), 'ok')
  t.equal(await addStep(db, w.a.regionId, request.id, bridge.id, { ...step, kind: 'referral', step_offer: w.sewing, step_next: addDays(localDay(), 7) }), 'ok')

  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true })
  const page = await context.newPage()
  for (const lang of ['nl', 'ar']) {
    await page.goto(`${base}${link.replace('lang=ar', `lang=${lang}`)}`)
    t.match(await page.locator('h1').innerText(), lang === 'nl' ? 'Jouw vraag' : 'طلبك')
    t.match(await page.locator('main').innerText(), 'Naaiatelier voor beginners')
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)}`), [], `${lang}: no axe violations`)
    const sideways = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number
    t.ok(sideways <= 0, `${lang}: no sideways scrolling (${sideways}px)`)
    await screenshot(page, `own-path-${lang}`)
  }

  // The person comes back with a new question: typed and sent on the phone, confirmed on the same page.
  await page.locator('#question').fill('وأريد أيضًا أن أتعلم الهولندية')
  await Promise.all([page.waitForURL(/sent=1/), page.locator('#question').locator('xpath=ancestor::form').locator('button').click()])
  t.match(await page.locator('[role=status]').innerText(), 'أُرسل سؤالك')
  t.match(await page.locator('main').innerText(), 'وأريد أيضًا أن أتعلم الهولندية')
  t.same((await axeViolations(page)).map((v) => v.id), [], 'ar, after asking: no axe violations')
  await screenshot(page, 'own-path-ar-asked')
  await context.close()
})
