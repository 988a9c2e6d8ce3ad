import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { addDays, localDay } from '../../src/answers/index.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { addStep } from '../../src/followup/paths.ts'
import { answerStepOne, form, formHeaders } from '../helpers.ts'
import { followupWorld, themeIds } from '../followup/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The person's own path page (the private link of the thank-you page) on a phone, in Dutch
 * and in Arabic, with two steps and a referral: axe-core's WCAG 2.2 A/AA rules, no sideways
 * scrolling; screenshots in test/artifacts/own-path-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

t.test('the own path page on a phone, nl and ar', { skip: !existsSync('/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const offer = await createOffer(db, w.a.regionId, {
    title: 'Naaiatelier voor beginners',
    provider: 'Vormingplus Limburg',
    place: 'Bib Tongeren, Veemarkt 1',
    schedule: 'Elke dinsdag 19u–21u',
    cost: 'Gratis',
    languages: ['nl', 'ar'],
    textLanguage: 'nl',
    audience: 'all',
    link: 'https://example.be/naaien',
    contact: null,
    themeIds: [themes[0]!],
    archived: false,
  })
  const { location } = await answerStepOne(w.app, w.a.code, { lang: 'ar' })
  const contact = { contact_name: 'Fatima', contact_value: '0474/12.34.56', contact_language: 'العربية', contact_moment: 'evening', contact_consent: 'yes' }
  const sent = await w.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'ar', themes: [String(themes[0]!)], free_text: 'أريد أن أتعلم الخياطة', ...contact }) })
  const thanks = await w.app.inject({ method: 'GET', url: String(sent.headers.location) })
  const link = /href="(\/withdraw\?[^"]+)"/.exec(thanks.body)![1]!.replace(/&amp;/g, '&')
  const request = await db.selectFrom('contact_requests').select('id').executeTakeFirstOrThrow()
  const bridge = await w.account('bridge', [w.a.regionId])
  const step = { on_day: localDay(), note: null, step_offer: null, step_next: null }
  t.equal(await addStep(db, w.a.regionId, request.id, bridge.id, { ...step, kind: 'conversation' }), 'ok')
  t.equal(await addStep(db, w.a.regionId, request.id, bridge.id, { ...step, kind: 'referral', step_offer: offer, step_next: addDays(localDay(), 7) }), 'ok')

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
  await context.close()
})
