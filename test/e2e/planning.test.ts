import { existsSync } from 'node:fs'
import t from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createActivity, setActivityThemes } from '../../src/admin/queries.ts'
import { addPanelMember } from '../../src/planning/criteria.ts'
import { buildTestApp } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { buildPlanningWorld, now } from '../planning/world.ts'
import { artifacts, axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * The planning page (issue 18) and the theme suggestion on the activity and offer forms, in
 * Chromium at laptop (1280 px) and phone (390 px) width: no axe-core WCAG 2.2 A/AA
 * violations, no sideways scrolling, and what a person sees. Screenshots:
 * test/artifacts/planning-*.png.
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())
t.setTimeout(600_000)

async function signIn(context: BrowserContext, base: string, email: string) {
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('#f-email', email)
  await page.fill('#f-password', testPassword)
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  await page.close()
}

t.test('the planning page and the theme suggestion, laptop and phone', { timeout: 600_000, skip: !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') && 'no Chromium' }, async (t) => {
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => now })
  const db = database.db
  const world = await buildPlanningWorld(db)
  const coordinatorId = await makeUser(db, 'coordinator', 'plan-coord@example.be', { regionIds: [world.regionId] })
  // A proposal by P2 on the panel's table, the coordinator on the panel.
  const proposal = await createActivity(db, { partnerId: world.partners[1]!, title: 'Taalcafé op zaterdag', description: 'Nederlands oefenen bij koffie.', state: 'proposed' })
  await setActivityThemes(db, world.regionId, proposal, [world.themes['talen']!])
  await addPanelMember(db, world.regionId, coordinatorId, coordinatorId)
  await makeUser(db, 'partner', 'plan-partner@example.be', { partnerIds: [world.partners[0]!] })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const contexts = {
    laptop: await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' }),
    phone: await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nl', isMobile: true, hasTouch: true }),
    partnerLaptop: await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' }),
  }
  await signIn(contexts.laptop, base, 'plan-coord@example.be')
  await signIn(contexts.phone, base, 'plan-coord@example.be')
  await signIn(contexts.partnerLaptop, base, 'plan-partner@example.be')

  const planning = `/admin/regions/${world.regionId}/planning`
  const pages: [name: string, context: keyof typeof contexts, path: string][] = [
    ['planning', 'laptop', planning],
    ['planning-phone', 'phone', planning],
    ['planning-partner-vs-rest', 'laptop', `${planning}?period=2026-Q3&partner=${world.partners[0]}`],
    ['planning-partner-member', 'partnerLaptop', planning],
    ['planning-en', 'laptop', `${planning}?lang=en`],
    ['offer-new', 'laptop', `/admin/regions/${world.regionId}/offers/new?lang=nl`],
    ['planning-criteria', 'laptop', `${planning}/criteria`],
    ['planning-effect', 'laptop', `${planning}/effect`],
    ['planning-effect-phone', 'phone', `${planning}/effect`],
    ['planning-proposals', 'laptop', `${planning}/proposals`],
    ['planning-proposal-score', 'laptop', `${planning}/proposals/${proposal}`],
    ['planning-proposal-score-phone', 'phone', `${planning}/proposals/${proposal}`],
  ]
  for (const [name, context, path] of pages) {
    const page: Page = await contexts[context].newPage()
    const response = await page.goto(base + path)
    t.equal(response?.status(), 200, `${name}: 200`)
    const violations = await axeViolations(page)
    t.same(violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 400)}`), [], `${name}: no axe violations`)
    const sideways = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
    t.ok(sideways <= 0, `${name}: no sideways scrolling (${sideways}px)`)
    await screenshot(page, name)
    await page.close()
  }

  // On the phone the table becomes one card per theme, each figure with its column's name.
  const phone = await contexts.phone.newPage()
  await phone.goto(base + planning)
  const first = phone.locator('.planning-table tbody tr').first()
  t.match(await first.locator('th').innerText(), /Talen/, 'the need without an offer is the first card')
  t.match(await first.innerText(), /Nood zonder aanbod/, 'its verdict')
  const label = await first.locator('td').first().evaluate((cell) => getComputedStyle(cell, '::before').content)
  t.equal(label, '"Oordeel"', "each figure carries its column's name on the phone")
  await phone.locator('.planning-table').screenshot({ path: `${artifacts}/planning-phone-table.png` })
  const box = await first.boundingBox()
  t.ok(box && box.width <= 390, 'the card fits the phone')
  // Choosing another period is a plain form: no script needed.
  await phone.selectOption('#f-period', '2026-08')
  await Promise.all([phone.waitForURL(/period=2026-08/), phone.click('.planning-filter button')])
  t.match(await phone.locator('.planning-facts').innerText(), /2026-08-01 tot en met 2026-08-31/)
  await phone.close()

  // The activity form: "suggest themes" ticks and marks, nothing is stored until "save".
  const form = await contexts.laptop.newPage()
  await form.goto(`${base}/admin/regions/${world.regionId}/activities`)
  await form.selectOption('#f-partner_id', String(world.partners[0]))
  await form.fill('#f-title', 'Naaiatelier en kookclub')
  await form.fill('#f-description', 'Samen naaien, daarna samen koken.')
  await Promise.all([form.waitForLoadState('load'), form.click('button[name="intent"][value="suggest"]')])
  t.equal(await form.locator(`input[name="themes"][value="${world.themes['ambacht-maken']}"]`).isChecked(), true, 'crafts suggested and ticked')
  t.equal(await form.locator(`input[name="themes"][value="${world.themes['koken-voeding']}"]`).isChecked(), true, 'cooking suggested and ticked')
  t.equal(await form.locator('.suggestion').count(), 2, 'both marked as suggestions')
  t.equal(await form.inputValue('#f-title'), 'Naaiatelier en kookclub', 'the title typed is kept')
  t.same(await axeViolations(form), [], 'the form with suggestions: no axe violations')
  await screenshot(form, 'activity-suggested')
  const before = await db.selectFrom('activities').select((eb) => eb.fn.countAll().as('n')).where('title', '=', 'Naaiatelier en kookclub').executeTakeFirstOrThrow()
  t.equal(Number(before.n), 0, 'nothing stored by the suggestion')
  await Promise.all([form.waitForURL(/activities\/\d+/), form.click('form.card:last-of-type button:not([name])')])
  const stored = await db
    .selectFrom('activities')
    .innerJoin('activity_themes', 'activity_themes.activity_id', 'activities.id')
    .select('activity_themes.theme_id')
    .where('activities.title', '=', 'Naaiatelier en kookclub')
    .orderBy('activity_themes.theme_id')
    .execute()
  t.same(stored.map((row) => row.theme_id), [world.themes['ambacht-maken']!, world.themes['koken-voeding']!].sort((a, b) => a - b), 'saving stores what was ticked')
  await form.close()
  for (const context of Object.values(contexts)) await context.close()
})
