import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { languageCodes } from '../../src/i18n/i18n.ts'
import { followupWorld, request, sewingWorkshop, themeIds } from '../followup/world.ts'
import { join } from 'node:path'
import { artifacts, axeViolations, launchBrowser, screenshot } from './browser.ts'
import { testPassword } from '../auth/browser.ts'

/**
 * The follow-up pages in a real browser: step 2 with the contact question open (every
 * language, with and without messages), the thank-you page with offers and the private
 * withdrawal link, the withdrawal page, the bridge figures' start page, queue and request
 * pages, and the moderation list, at phone and laptop widths.
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
  await sewingWorkshop(w.database.db, w.a.regionId, themes[0]!, { languages: ['nl', 'ar', 'fr'] })
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true })
  const page = await context.newPage()
  // CI's short configuration (TEST_PROFILE=short) checks one language of each kind of script,
  // as the citizen suite does: Latin, Arabic (right to left) and Ge'ez; a full `npm test` all nine.
  const checked = process.env.TEST_PROFILE === 'short' ? languageCodes.filter((code) => ['nl', 'ar', 'ti'].includes(code)) : languageCodes
  for (const lang of checked) {
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
    await Promise.all([page.waitForNavigation(), page.locator('form[action="/withdraw"] button.submit').tap()])
    t.match(await page.locator('h1').innerText(), /\S/, `${lang}: the withdrawal is confirmed`)
    t.same(report(await axeViolations(page)), [], `${lang} withdrawal done`)
    await page.goBack()
    await page.reload()
    t.same(report(await axeViolations(page)), [], `${lang} used withdrawal link`)
  }
  const rows = await w.database.db.selectFrom('contact_requests').select(['contact_value', 'erase_reason']).execute()
  t.equal(rows.length, checked.length)
  t.ok(rows.every((row) => row.contact_value === null && row.erase_reason === 'withdrawn'), 'every request was withdrawn through the browser')
  await context.close()
})

t.test('the queue and a request page for a bridge figure: highlighted, masked, no axe violations', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const first = await request(w.database.db, w.a, { daysAgo: 9, name: 'Fatima El Amrani', freeText: 'Ik wil leren naaien. Bel me: 0474 12 34 56', themeIds: [themes[0]!, themes[2]!] })
  await request(w.database.db, w.a, { daysAgo: 3, name: 'Jan', value: 'jan@voorbeeld.be', freeText: 'Computer leren, mail jan@voorbeeld.be', themeIds: [themes[1]!] })
  await request(w.database.db, w.a, { daysAgo: 1, name: 'Ola', freeText: null, themeIds: [themes[3]!] })
  const bridge = await w.account('bridge', [w.a.regionId])
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('#f-email', bridge.email)
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.goto(`${base}/admin/regions/${w.a.regionId}/followup`)
  t.same(report(await axeViolations(page)), [], 'queue')
  t.equal(await page.locator('tr.overdue').count(), 1, 'one request waits more than 7 days')
  t.notMatch(await page.content(), /0474|jan@voorbeeld/)
  await screenshot(page, 'followup-queue')
  await page.goto(`${base}/admin/regions/${w.a.regionId}/followup/${first.id}`)
  t.same(report(await axeViolations(page)), [], 'request with contact details')
  await screenshot(page, 'followup-request')
  t.same((await w.audits()).map((entry) => [entry.action, entry.userId]), [['contact.view', bridge.id]], 'the one view of contact details is audited')
  t.equal(await page.locator('input[name="result"]:checked').count(), 0, 'no result is preset')
  await page.locator('input[name="result"][value="no_answer"]').check()
  await Promise.all([page.waitForNavigation(), page.locator('form:has(input[name="result"]) button.secondary').click()])
  t.match(await page.locator('main ul').last().innerText(), /No answer|Geen antwoord/, 'the attempt is logged')
  await screenshot(page, 'followup-request-attempt')
  await context.close()
})

t.test('a bridge figure\'s start page, the queue and the moderation list at phone and laptop widths: no axe violations', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const bridge = await w.account('bridge', [w.a.regionId, w.b.regionId])
  await w.account('coordinator', [w.a.regionId])
  const coordinatorEmail = (await db.selectFrom('users').select('email').where('role', '=', 'coordinator').executeTakeFirstOrThrow()).email
  const texts = ['Ik wil leren naaien op een machine', 'Beter Nederlands spreken met de buren', 'Fietsen in de stad, ik durf het nog niet', 'Mijn kleinkinderen online volgen op de tablet']
  const claimed: number[] = []
  for (const [i, text] of texts.entries()) {
    const req = await request(db, i % 2 === 0 ? w.a : w.b, { daysAgo: 14 - i * 3, freeText: text, themeIds: i % 2 === 0 ? [themes[i]!] : [] })
    if (i < 2) claimed.push(req.id)
  }
  for (let i = 0; i < 55; i++) await request(db, w.a, { daysAgo: i % 11, freeText: `Tekst ${i + 1}: ik wil graag leren koken voor een grote groep`, themeIds: [themes[i % 4]!] })
  await db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: bridge.id, claimed_at: new Date().toISOString() }).where('id', 'in', claimed).execute()
  await db.insertInto('contact_attempts').values({ contact_request_id: claimed[0]!, user_id: bridge.id, at: new Date().toISOString(), result: 'no_answer' }).execute()
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' })

  const widths = [['phone', { width: 390, height: 844 }], ['laptop', { width: 1280, height: 900 }]] as const
  // The whole page, and what the first screen shows (a long list makes the whole page hard to look at).
  const shots = async (page: Page, name: string) => {
    await screenshot(page, name)
    if (process.env.TEST_PROFILE !== 'short') await page.screenshot({ path: join(artifacts, `${name}-screen.png`) })
  }
  for (const [width, viewport] of widths) {
    const context = await browser.newContext({ viewport, locale: 'nl', ...(width === 'phone' ? { isMobile: true, hasTouch: true } : {}) })
    const page = await context.newPage()
    const signIn = async (email: string) => {
      await page.goto(`${base}/login`)
      await page.fill('#f-email', email)
      await page.fill('#f-password', testPassword)
      await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
    }
    await signIn(bridge.email)
    t.same(report(await axeViolations(page)), [], `${width}: the bridge figure's start page`)
    t.match(await page.locator('#worklist-heading').innerText(), 'Jouw opvolging')
    t.equal(await page.locator('#mine + p + ul.worklist > li').count(), 2, 'their two open requests')
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    t.equal(overflow, 0, `${width}: nothing wider than the screen`)
    await shots(page, `bridge-home-${width}`)

    await page.goto(`${base}/admin/regions/${w.a.regionId}/followup`)
    t.same(report(await axeViolations(page)), [], `${width}: the queue with the region switcher`)
    t.equal(await page.locator('nav.switch a').count(), 2, 'the region switcher')
    await shots(page, `followup-queue-${width}`)
    await Promise.all([page.waitForURL(`${base}/admin/regions/${w.b.regionId}/followup`), page.locator('nav.switch a:not([aria-current])').click()])
    t.pass('the switcher leads to the other region\'s queue')

    await page.goto(`${base}/admin/regions/${w.a.regionId}/offers`)
    t.same(report(await axeViolations(page)), [], `${width}: the offers, read only`)
    await page.goto(`${base}/logout`)
    await Promise.all([page.waitForURL(/\/login/), page.locator('main button').click()])

    await signIn(coordinatorEmail)
    await page.goto(`${base}/admin/regions/${w.a.regionId}/moderation`)
    t.same(report(await axeViolations(page)), [], `${width}: the moderation list`)
    t.match(await page.locator('main').innerText(), /5\d teksten wachten/)
    await shots(page, `moderation-${width}`)
    await Promise.all([page.waitForURL(/page=2/), page.locator('a[rel="next"]').first().click()])
    t.same(report(await axeViolations(page)), [], `${width}: the moderation list, page 2`)
    await shots(page, `moderation-page2-${width}`)
    await context.close()
  }
})
