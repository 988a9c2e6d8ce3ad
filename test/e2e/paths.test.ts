import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { addDays, localDay } from '../../src/answers/index.ts'
import { testPassword } from '../auth/browser.ts'
import { followupWorld, request, sewingWorkshop, themeIds } from '../followup/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * Learning paths in Chromium, at phone (390 px) and laptop (1280 px) width: the bridge
 * figure records a step through the form, sees a path with three steps and the "did they
 * start?" question, and the start page with due and late paths. axe-core's WCAG 2.2 A/AA
 * rules on each page; screenshots in test/artifacts/paths-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())
t.setTimeout(600_000)

function report(violations: Awaited<ReturnType<typeof axeViolations>>): string[] {
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)})`)
}

t.test('a path with three steps and the due list, on a phone and a laptop', { skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const course = await sewingWorkshop(db, w.a.regionId, themes[0]!, { cost: null, link: null })
  const bridgeEmail = 'brugfiguur@example.be'
  const { makeUser } = await import('../auth/browser.ts')
  const bridgeId = await makeUser(db, 'bridge', bridgeEmail, { regionIds: [w.a.regionId] })
  await db.updateTable('users').set({ name: 'Sara Brugfiguur' }).where('id', '=', bridgeId).execute()
  const today = localDay()
  const path = await request(db, w.a, { daysAgo: 10, themeIds: [themes[0]!], freeText: 'Ik wil leren naaien voor mijn kinderen' })
  const due = await request(db, w.a, { daysAgo: 6, themeIds: [themes[1]!] })
  const late = await request(db, w.a, { daysAgo: 15, themeIds: [themes[0]!] })
  for (const r of [path, due, late]) await db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: bridgeId, claimed_at: new Date().toISOString() }).where('id', '=', r.id).execute()
  const step = (id: number, kind: 'conversation' | 'referral', onDay: string, note: string | null, offerId: number | null = null) =>
    db.insertInto('path_steps').values({ contact_request_id: id, kind, on_day: onDay, offer_id: offerId, note, recorded_by: bridgeId, recorded_at: new Date().toISOString(), record_key: 5 }).execute()
  await step(path.id, 'conversation', addDays(today, -8), 'Werkt overdag; bellen na 17 uur. Wil eerst een proefles.')
  await step(path.id, 'referral', addDays(today, -7), null, course)
  await step(late.id, 'referral', addDays(today, -12), null, course)
  await db.updateTable('contact_requests').set({ next_contact_on: today }).where('id', '=', due.id).execute()
  await db.updateTable('contact_requests').set({ next_contact_on: addDays(today, -2) }).where('id', '=', late.id).execute()
  await db.updateTable('contact_requests').set({ next_contact_on: today }).where('id', '=', path.id).execute()
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })

  for (const [device, viewport] of [['laptop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    const context = await browser.newContext({ viewport, locale: 'nl', ...(device === 'phone' ? { isMobile: true, hasTouch: true } : {}) })
    const page = await context.newPage()
    await page.goto(`${base}/login`)
    await page.fill('#f-email', bridgeEmail)
    await page.fill('#f-password', testPassword)
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])

    t.match(await page.locator('#mine + p + ul.worklist').innerText(), 'Vraag of de persoon begonnen is aan ‘Naaiatelier voor beginners’', `${device}: the start page asks about the referral`)
    t.same(report(await axeViolations(page)), [], `${device}: the start page with due paths has no axe violations`)
    await screenshot(page, `paths-worklist-${device}`)

    const url = `${base}/admin/regions/${w.a.regionId}/followup/${path.id}`
    await page.goto(url)
    if (device === 'laptop') {
      // The third step through the form, as a bridge figure types it.
      await page.locator('#add-step input[name="kind"][value="trial"]').check()
      await page.fill('#f-note', 'Proefles gevolgd op dinsdag; wil zich inschrijven.')
      await page.fill('#f-step_next', addDays(today, 10))
      await Promise.all([page.waitForURL(/done=path\.step/), page.click('#add-step button')])
      t.match(await page.locator('[role="status"]').innerText(), 'De stap is bewaard.', 'laptop: the confirmation after the form')
    }
    t.equal(await page.locator('ol.steps > li').count(), 3, `${device}: three steps`)
    t.match(await page.locator('ol.steps').innerText(), 'Proefles gevolgd op dinsdag')
    t.same(report(await axeViolations(page)), [], `${device}: the path page has no axe violations`)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    t.ok(overflow <= 0, `${device}: no sideways scrolling (${overflow} px)`)
    await screenshot(page, `paths-request-${device}`)

    // The 'did they start?' question on a path whose latest step is a referral.
    await page.goto(`${base}/admin/regions/${w.a.regionId}/followup/${late.id}`)
    t.match(await page.locator('.start-check').innerText(), 'Is de persoon begonnen aan ‘Naaiatelier voor beginners’?')
    t.same(report(await axeViolations(page)), [], `${device}: the start check has no axe violations`)
    await screenshot(page, `paths-check-${device}`)

    // A refused form: the message next to the field.
    if (device === 'phone') {
      await page.locator('#add-step input[name="kind"][value="conversation"]').check()
      await page.fill('#f-step_next', addDays(today, -3))
      await Promise.all([page.waitForLoadState('load'), page.click('#add-step button')])
      t.match(await page.locator('#f-step_next-error').innerText(), 'Deze datum is al voorbij.')
      t.same(report(await axeViolations(page)), [], 'phone: the refused form has no axe violations')
      await screenshot(page, 'paths-refused-phone')
    }
    await context.close()
  }
})
