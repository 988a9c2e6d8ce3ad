import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createPartner } from '../../src/admin/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { tokenHash } from '../../src/auth/tokens.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The profile page (digest subscriptions) and the digest page with what was sent, in
 * Chromium at laptop (1280 px) and phone (390 px) width: no axe-core WCAG 2.2 A/AA
 * violations, no sideways scrolling, and subscribing by ticking a box. Screenshots:
 * test/artifacts/digest-mail-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())
t.setTimeout(300_000)

const now = new Date('2026-12-02T10:00:00Z')

async function signIn(context: BrowserContext, base: string, email: string) {
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('#f-email', email)
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.close()
}

t.test('the profile page and the digest page, laptop and phone', { skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1', SMTP_URL: 'smtp://127.0.0.1:2525' }, { now: () => now })
  const db = database.db
  const fixture = await seedPoster(database)
  await createPartner(db, fixture.regionId, 'CVO Haspengouw met een lange naam voor een smal scherm', 'adult_education')
  const userId = await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  // November's mailing, as the outbox holds it: three sent, one dropped after DATA, one waiting for a retry.
  for (const [i, status] of (['sent', 'sent', 'sent', 'unknown', 'retry'] as const).entries()) {
    const other = i === 0 ? userId : await makeUser(db, 'coordinator', `c${i}@example.be`, { regionIds: [fixture.regionId] })
    await db.insertInto('digest_outbox').values({ user_id: other, region_id: fixture.regionId, partner_id: null, scope_key: `r${fixture.regionId}`, month: '2026-11', language: 'nl', status, next_attempt_at: now.toISOString(), created_at: now.toISOString() }).execute()
  }
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const contexts = {
    laptop: await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' }),
    phone: await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', isMobile: true, hasTouch: true }),
  }
  await signIn(contexts.laptop, base, 'coord@example.be')
  await signIn(contexts.phone, base, 'coord@example.be')

  async function check(page: Page, name: string) {
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 400)}`), [], `${name}: no axe violations`)
    const sideways = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
    t.ok(sideways <= 0, `${name}: no sideways scrolling (${sideways}px)`)
    await screenshot(page, name)
  }

  // Subscribing on the phone: tick the region's digest, pick English, save.
  const phone = await contexts.phone.newPage()
  t.equal((await phone.goto(`${base}/admin/profile`))?.status(), 200)
  await check(phone, 'digest-mail-profile-phone')
  await phone.check(`input[name="digests"][value="r${fixture.regionId}"]`)
  await phone.selectOption('#f-language', 'en')
  await Promise.all([phone.waitForURL(/done=profile\.saved/), phone.click('form.card button')])
  t.match(await phone.locator('[role="status"]').innerText(), /Je inschrijvingen zijn bewaard/)
  t.equal(await phone.isChecked(`input[name="digests"][value="r${fixture.regionId}"]`), true, 'ticked after saving')
  await check(phone, 'digest-mail-profile-saved-phone')
  const rows = await db.selectFrom('digest_subscriptions').select(['scope_key', 'language']).execute()
  t.same(rows, [{ scope_key: `r${fixture.regionId}`, language: 'en' }])

  const laptop = await contexts.laptop.newPage()
  t.equal((await laptop.goto(`${base}/admin/profile?lang=en`))?.status(), 200)
  await check(laptop, 'digest-mail-profile-laptop-en')

  // The digest page at both widths, with what went out in November.
  for (const [name, page] of [['digest-mail-page-laptop', laptop], ['digest-mail-page-phone', phone]] as const) {
    t.equal((await page.goto(`${base}/admin/regions/${fixture.regionId}/digest?lang=nl`))?.status(), 200)
    const sent = await page.locator('table.digest-sent').innerText()
    t.match(sent, /verstuurd\s+3/, `${name}: three sent`)
    t.match(sent, /niet bevestigd[^\n]*\s+1/, `${name}: one not confirmed`)
    t.match(sent, /wacht op verzending[^\n]*\s+1/, `${name}: one waiting`)
    await check(page, name)
  }
  // A tampered form (a value no box offers): the form again with the message next to the boxes.
  await laptop.goto(`${base}/admin/profile`)
  await laptop.locator(`input[name="digests"][value="r${fixture.regionId}"]`).evaluate((box) => box.setAttribute('value', 'r999999'))
  await Promise.all([laptop.waitForLoadState('load'), laptop.click('form.card button')])
  t.match(await laptop.locator('#f-digests-error').innerText(), /bestaat niet of is er geen dat jij mag lezen/)
  await check(laptop, 'digest-mail-profile-error')

  // The unsubscribe page of an e-mail, on a phone, without signing in.
  const token = 'T'.repeat(43)
  await db.updateTable('digest_outbox').set({ unsubscribe_hash: tokenHash(token), language: 'fr' }).where('user_id', '=', userId).execute()
  const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const unsubscribe = await anonymous.newPage()
  t.equal((await unsubscribe.goto(`${base}/digest/unsubscribe/${token}`))?.status(), 200)
  await check(unsubscribe, 'digest-mail-unsubscribe-phone')
  await Promise.all([unsubscribe.waitForLoadState('load'), unsubscribe.click('main button')])
  t.match(await unsubscribe.locator('h1').innerText(), /Vous êtes désabonné/)
  await check(unsubscribe, 'digest-mail-unsubscribed-phone')
  t.same(await db.selectFrom('digest_subscriptions').select('id').execute(), [], 'the subscription is gone')
  await Promise.all([...Object.values(contexts), anonymous].map((c) => c.close()))
})
