import t from 'tap'
import type { Browser } from 'playwright-core'
import { languageCodes } from '../../src/i18n/i18n.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { followupWorld, request, themeIds } from '../followup/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The follow-up pages in a real browser: step 2 with the contact question open (every
 * language, with and without messages), the thank-you page with offers and the private
 * withdrawal link, the withdrawal page, and the bridge figures' queue and request pages.
 * axe-core's WCAG 2.2 A/AA rules on each; screenshots in test/artifacts/.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

function report(violations: Awaited<ReturnType<typeof axeViolations>>): string[] {
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)})`)
}

t.test('step 2 with the contact question open, its messages, the thank-you and withdrawal pages: no axe violations in any language', async (t) => {
  const w = await followupWorld(t)
  await w.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).execute()
  const themes = await themeIds(w.database.db, w.a.regionId)
  await createOffer(w.database.db, w.a.regionId, {
    title: 'Naaiatelier voor beginners',
    provider: 'Vormingplus Limburg',
    place: 'Bib Tongeren, Veemarkt 1',
    schedule: 'Elke dinsdag 19u–21u',
    cost: 'Gratis',
    languages: ['nl', 'ar', 'fr'],
    textLanguage: 'nl',
    audience: 'all',
    link: 'https://example.be/naaien',
    contact: null,
    themeIds: [themes[0]!],
    archived: false,
  })
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true })
  const page = await context.newPage()
  for (const lang of languageCodes) {
    await page.goto(`${base}/q/${w.a.code}?lang=${lang}`)
    await page.locator('button[name="tried_new"][value="yes"]').tap()
    await page.waitForURL(/\/2\?t=/)
    await page.locator('#f-contact summary').tap()
    t.ok(await page.locator('#f-contact').evaluate((el) => (el as HTMLDetailsElement).open), `${lang}: the contact question opens`)
    const box = await page.locator('#f-contact summary').boundingBox()
    t.ok(box && box.height >= 44, `${lang}: the disclosure is a large target (${box?.height} px)`)
    t.same(report(await axeViolations(page)), [], `${lang} step 2, contact open`)
    if (lang === 'nl' || lang === 'ar') await screenshot(page, `followup-step2-contact-${lang}`)

    // Messages: a wrong number and no consent.
    await page.locator('label:has(input[name="themes"])').first().tap()
    await page.locator('#f-contact_name').fill(lang === 'ar' ? 'فاطمة' : 'Fatima')
    await page.locator('#f-contact_value').fill('0474 12 34')
    await Promise.all([page.waitForNavigation(), page.locator('button.submit').tap()])
    t.equal(await page.locator('#summary li').count(), 2, `${lang}: two messages in the summary`)
    t.same(report(await axeViolations(page)), [], `${lang} step 2, contact messages`)
    if (lang === 'nl') await screenshot(page, 'followup-step2-contact-errors-nl')

    await page.locator('#f-contact_value').fill('0474 12 34 56')
    await page.locator('#f-contact_consent').check()
    await page.locator('button.submit').tap()
    await page.waitForURL(/\/thanks\?/)
    t.equal(await page.locator('.offer').count(), 1, `${lang}: the matching offer is shown`)
    t.same(report(await axeViolations(page)), [], `${lang} thanks with offer and withdrawal link`)
    if (lang === 'nl' || lang === 'ar') await screenshot(page, `followup-thanks-${lang}`)

    await page.locator('a[href^="/withdraw"]').tap()
    await page.waitForURL(/\/withdraw\?/)
    t.same(report(await axeViolations(page)), [], `${lang} withdrawal confirmation`)
    await Promise.all([page.waitForNavigation(), page.locator('button.submit').tap()])
    t.match(await page.locator('h1').innerText(), /\S/, `${lang}: the withdrawal is confirmed`)
    t.same(report(await axeViolations(page)), [], `${lang} withdrawal done`)
    await page.goBack()
    await page.reload()
    t.same(report(await axeViolations(page)), [], `${lang} used withdrawal link`)
  }
  const rows = await w.database.db.selectFrom('contact_requests').select(['contact_value', 'erase_reason']).execute()
  t.equal(rows.length, languageCodes.length)
  t.ok(rows.every((row) => row.contact_value === null && row.erase_reason === 'withdrawn'), 'every request was withdrawn through the browser')
  await context.close()
})

t.test('the queue and a request page for a bridge figure: highlighted, masked, no axe violations', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const first = await request(w.database.db, w.a, { daysAgo: 9, name: 'Fatima El Amrani', freeText: 'Ik wil leren naaien. Bel me: 0474 12 34 56', themeIds: [themes[0]!, themes[2]!] })
  await request(w.database.db, w.a, { daysAgo: 3, name: 'Jan', value: 'jan@voorbeeld.be', freeText: 'Computer leren, mail jan@voorbeeld.be', themeIds: [themes[1]!] })
  await request(w.database.db, w.a, { daysAgo: 1, name: 'Ola', freeText: null, themeIds: [themes[3]!] })
  w.as({ id: 7, role: 'bridge', regionIds: [w.a.regionId] })
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
  const page = await context.newPage()
  await page.goto(`${base}/plugin/regions/${w.a.regionId}/followup`)
  t.same(report(await axeViolations(page)), [], 'queue')
  t.equal(await page.locator('tr.overdue').count(), 1, 'one request waits more than 7 days')
  t.notMatch(await page.content(), /0474|jan@voorbeeld/)
  await screenshot(page, 'followup-queue')
  await page.goto(`${base}/plugin/regions/${w.a.regionId}/followup/${first.id}`)
  t.same(report(await axeViolations(page)), [], 'request with contact details')
  await screenshot(page, 'followup-request')
  t.equal(w.audits.length, 1)
  await context.close()
})
