import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { claimRequest, closeRequest, logAttempt } from '../../src/followup/queue.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { buildTestApp, seedPoster, type Fixture } from '../helpers.ts'
import { makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from '../dashboard/dataset.ts'
import { buildWorld } from '../dashboard/world.ts'
import { request } from '../followup/world.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * One walk per role through the management pages, in Chromium, clicking links and buttons
 * as a person does (only the sign-in page is typed in): a coordinator, a partner member, a
 * bridge figure and an administrator. On every staff page a walk passes, axe-core's WCAG
 * 2.2 A/AA rules find nothing and the page does not scroll sideways, at 390 px (a phone)
 * and at 1280 px (a laptop); no raw catalog key shows. Screenshots:
 * test/artifacts/walks/<role>-<step>-<width>.png.
 *
 * One seeded world and one server for the four walks, one browser, a context per walk:
 * the walks are the slowest kind of test, and what they share is read-only or their own.
 */

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const widths = [
  [390, 844],
  [1280, 900],
] as const

// Every message key of every catalog: one that shows on a page is text that was never translated ("admin.forbidden.body").
const messageDir = join(import.meta.dirname, '..', '..', 'src', 'i18n', 'messages')
const messageKeys = new Set(readdirSync(messageDir).flatMap((file) => Object.keys(JSON.parse(readFileSync(join(messageDir, file), 'utf8')) as object)))
const rawKeys = (text: string) => [...new Set(text.match(/[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+/g) ?? [])].filter((word) => messageKeys.has(word))

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

/** Two regions, the first with the dashboard's data set, free texts to moderate, offers and follow-up requests in every state. */
async function seedWalkWorld(database: DatabaseHandle) {
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const other = await seedPoster(database)
  await db.updateTable('regions').set({ name: 'Regio Haspengouw' }).where('id', '=', other.regionId).execute()
  const region = world.regionId
  const poster = world.posters[0]!
  const here: Fixture = { regionId: region, partnerId: poster.partnerId, locationId: poster.locationId, activityId: poster.activityId, posterId: poster.id, code: '' }
  const theme = (slug: string) => world.themes.find((row) => row.slug === slug)!.id

  const coordinator = await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [region, other.regionId] })
  await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [world.partners.a] })
  await makeUser(db, 'partner', 'vrijwilliger@example.be', { partnerIds: [world.partners.b] })
  const bridge = await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [region] })
  await makeUser(db, 'admin', 'beheer@example.be')
  await makeUser(db, 'admin', 'tweede@example.be')

  const offer = await createOffer(db, region, {
    title: 'Digitaal café voor beginners',
    provider: 'Bibliotheek Hasselt',
    place: 'Bib Hasselt, Limburgplein 1',
    schedule: 'Elke donderdag 14u–16u',
    cost: 'Gratis',
    languages: ['nl', 'fr'],
    textLanguage: 'nl',
    audience: 'all',
    link: 'https://example.be/digitaal-cafe',
    contact: null,
    themeIds: [theme('digitaal')],
    archived: false,
  })
  await createOffer(db, region, {
    title: 'Nederlands oefenen aan tafel',
    provider: 'CVO Limburg',
    place: 'Buurthuis Genk',
    schedule: 'Maandag 19u',
    cost: '€ 5 per keer',
    languages: ['nl', 'ar'],
    textLanguage: 'nl',
    audience: 'adults',
    link: null,
    contact: null,
    themeIds: [theme('talen')],
    archived: false,
  })

  // Follow-up: two waiting (one overdue), one claimed with an attempt, one closed; one in the other region.
  const overdue = await request(db, here, { daysAgo: 9, name: 'Fatima El Amrani', freeText: 'Ik wil leren werken met de computer', themeIds: [theme('digitaal')] })
  const waiting = await request(db, here, { daysAgo: 2, name: 'Jan Peeters', value: 'jan@voorbeeld.be', freeText: 'Nederlands oefenen met de buren', themeIds: [theme('talen')] })
  const claimed = await request(db, here, { daysAgo: 5, name: 'Ola', freeText: null, themeIds: [theme('koken-voeding')] })
  await claimRequest(db, region, claimed.id, bridge)
  await logAttempt(db, region, claimed.id, bridge, 'no_answer')
  const closed = await request(db, here, { daysAgo: 20, name: 'Mieke', freeText: 'Leren koken voor weinig geld', themeIds: [theme('koken-voeding')] })
  await claimRequest(db, region, closed.id, bridge)
  await closeRequest(db, region, closed.id, bridge, 'referred', offer)
  await request(db, other, { daysAgo: 1, name: 'Karim' })

  // Some free texts approved for the dashboard's quotes; the rest wait in moderation.
  const texts = await db.selectFrom('responses').select('id').where('region_id', '=', region).where('free_text', 'is not', null).orderBy('id').limit(6).execute()
  for (const text of texts) await moderate(db, region, text.id, coordinator, { action: 'approve' })

  // A retention run's entry, as the schedule writes it: a long detail without spaces must wrap
  // in the audit page, not make its table scroll (seen when the schedule ran during a walk).
  const counts = { contactsAfterClose: 0, contactsMaxAge: 0, freeTexts: 0, notes: 0, pathLinks: 0, sessions: 3, invitations: 0, passwordResets: 0 }
  await db.insertInto('audit_log').values({ created_at: new Date(Date.now() - 60_000).toISOString(), user_id: null, action: 'retention.run', resource_type: null, resource_id: null, region_id: null, detail: JSON.stringify(counts) }).execute()

  return { world, region, other: other.regionId, overdue, waiting }
}

type WalkTest = Pick<typeof t, 'same' | 'ok' | 'equal' | 'match' | 'notMatch' | 'comment'>

/** A person's walk: their page, and the check every staff page gets at both widths. */
function walker(t: WalkTest, page: Page, role: string, tally: Map<string, number>) {
  let step = 0
  /** Checks the page at both widths; `also` adds what this page must show at a width. */
  return async function look(name: string, also?: (width: number) => Promise<void>): Promise<void> {
    const label = `${role} ${String(++step).padStart(2, '0')}-${name}`
    t.same(rawKeys(await page.locator('body').innerText()), [], `${label}: no raw message key`)
    for (const [width, height] of widths) {
      await page.setViewportSize({ width, height })
      const violations = await axeViolations(page)
      tally.set(`${role} ${width}`, (tally.get(`${role} ${width}`) ?? 0) + violations.reduce((sum, v) => sum + v.nodes.length, 0))
      tally.set(`${role} ${width} pages`, (tally.get(`${role} ${width} pages`) ?? 0) + 1)
      t.same(violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.html).join(' | ').slice(0, 300)}`), [], `${label} at ${width}px: no axe violations`)
      const sideways = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number
      t.ok(sideways <= 0, `${label} at ${width}px: no sideways scrolling (${sideways}px)`)
      await also?.(width)
      await screenshot(page, `walks/${role}-${String(step).padStart(2, '0')}-${name}-${width}`)
    }
  }
}

/** Follows a link or presses a button and waits for the page it leads to. */
async function go(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().click()])
}

async function heading(page: Page): Promise<string> {
  return (await page.locator('main h1').innerText()).trim()
}

t.test('four role walks', { skip: !existsSync(chromium) && 'no Chromium' }, async (t) => {
  const started = Date.now()
  t.same(rawKeys('Zie admin.forbidden.body of user.disable'), ['admin.forbidden.body'], 'the raw-key check finds a catalog key, not an audit action')
  // Plain http, as on a laptop (no __Host- cookies); the dashboard's clock at the data set's last day.
  const { app, database } = await buildTestApp(t, { PUBLIC_BASE_URL: 'http://127.0.0.1' }, { now: () => now })
  const db = database.db
  const w = await seedWalkWorld(database)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  t.comment(`world seeded and server up in ${Date.now() - started} ms`)
  const tally = new Map<string, number>()

  async function open() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl' })
    const page = await context.newPage()
    return { context, page }
  }

  async function signIn(t: WalkTest, page: Page, look: (name: string) => Promise<void>, email: string) {
    await page.goto(`${base}/login`)
    t.equal(await heading(page), 'Aanmelden')
    await look('login')
    await page.fill('#f-email', email)
    await page.fill('#f-password', testPassword)
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('main button')])
  }

  async function signOut(t: WalkTest, page: Page) {
    await Promise.all([page.waitForURL(`${base}/login`), page.click('header.top form button')])
    t.equal(await heading(page), 'Aanmelden', 'signed out: the sign-in page')
  }

  await t.test('coordinator', async (t) => {
    const { context, page } = await open()
    const look = walker(t, page, 'coordinator', tally)
    await signIn(t, page, look, 'coord@example.be')
    t.match(await heading(page), 'Welkom')
    t.equal(await page.locator('main ul.tiles a').count(), 2, 'two regions on the start page')
    await look('start')

    await go(page, 'main ul.tiles a:has-text("Regio Dashboard")')
    await go(page, 'nav.menu a:has-text("Dashboard")')
    t.match(await heading(page), /dashboard/i)
    await page.selectOption('form.filters select[name="partner"]', String(w.world.partners.a))
    await go(page, 'form.filters button')
    t.match(page.url(), new RegExp(`partner=${w.world.partners.a}`), 'the filter is in the address')
    t.equal(await page.locator('form.filters select[name="partner"]').inputValue(), String(w.world.partners.a), 'the chosen partner stays selected')
    await look('dashboard', async (width) => {
      // The four-column breakdowns fit a phone without scrolling inside them (the age × location grid may scroll).
      const cut = await page.$$eval('section:not(.age-location) .scroll', (boxes) => boxes.filter((box) => box.scrollWidth > box.clientWidth + 1).map((box) => box.getAttribute('aria-labelledby')))
      t.same(cut, [], `dashboard at ${width}px: every breakdown table shows all its columns`)
    })

    await go(page, 'nav.menu a:has-text("Opvolging")')
    t.match(await heading(page), /opvolg/i)
    t.equal(await page.locator('main tbody tr').count(), 3, 'three open requests')
    t.equal(await page.locator('tr.overdue').count(), 1, 'one is overdue')
    await look('followup-queue', async (width) => {
      if (width > 640) return
      // On a phone the rows are stacked and the headers hidden: each value says what it is.
      const labels = await page.$$eval('main tbody tr:first-child td', (cells) => cells.map((cell) => getComputedStyle(cell, '::before').content))
      t.same(labels.slice(0, 3), ['"Wacht: "', '"Status: "', '"Wil leren: "'], 'phone: the stacked cells are labelled')
    })
    await go(page, `main a[href$="/followup/${w.overdue.id}"]`)
    t.match(await page.locator('main').innerText(), 'Fatima El Amrani', 'the contact details are shown to the coordinator')
    await look('followup-request')

    await go(page, 'nav.menu a:has-text("Gebruikers")')
    t.equal(await heading(page), 'Gebruikers')
    await look('users')
    await page.fill('#f-email', 'nieuw@example.be')
    await page.selectOption('#f-role', 'partner')
    await page.selectOption('#f-partner_id', String(w.world.partners.a))
    await go(page, 'main button:has-text("Uitnodiging maken")')
    t.match(await page.locator('[role="status"]').innerText(), 'Uitnodiging gemaakt voor nieuw@example.be')
    t.match(await page.locator('.link').innerText(), /^http:\/\/127\.0\.0\.1\/login\/invite\//)
    await look('users-invited')
    await go(page, 'a[aria-label="partner vrijwilliger uitschakelen"]')
    t.match(await page.locator('main').innerText(), 'Wil je het account van partner vrijwilliger (vrijwilliger@example.be) uitschakelen?')
    await look('user-disable-confirm')
    await go(page, 'main button:has-text("Ja, partner vrijwilliger uitschakelen")')
    t.match(await page.locator('[role="status"]').innerText(), 'Het account is uitgeschakeld.')
    t.match(await page.locator('main tbody tr:has-text("vrijwilliger@example.be")').innerText(), 'Uitgeschakeld sinds')
    await look('user-disabled')
    await go(page, 'button[aria-label="partner vrijwilliger weer inschakelen"]')
    t.match(await page.locator('[role="status"]').innerText(), 'Het account is weer ingeschakeld.')
    t.notMatch(await page.locator('main tbody tr:has-text("vrijwilliger@example.be")').innerText(), 'Uitgeschakeld', 'the row is active again')

    await go(page, 'nav.menu a:has-text("Activiteiten")')
    await go(page, 'main tbody a:has-text("Repair Café")')
    t.equal(await heading(page), 'Repair Café')
    await look('activity')
    await go(page, 'main tbody a:has-text("Afdrukken")')
    t.match(await heading(page), /affiche|poster/i)
    await look('print')
    await page.selectOption('#p-format', 'a3')
    await page.selectOption('#p-language', 'fr')
    // The download follows the choices as they stand, without refreshing the preview first
    // (the old page kept offering the A4 Dutch file until then).
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main button:has-text("PDF downloaden")').click()])
    t.match(download.url(), /format=a3/, 'the download is the A3 poster')
    t.match(download.url(), /language=fr/, 'in French')
    t.match(download.suggestedFilename(), /\.pdf$/)
    t.match(readFileSync(await download.path()).toString('latin1'), /\/MediaBox \[0 0 841\.8\d* 1190\.55\d*\]/, 'the downloaded file is an A3 page')
    await go(page, 'main button:has-text("Voorbeeld bijwerken")')
    t.equal(await page.locator('#p-format').inputValue(), 'a3', 'A3 stays chosen')
    const preview = (await page.locator('main img.paper').getAttribute('src'))!
    t.match(preview, /format=a3/, 'the preview is the A3 poster')
    const svg = (await (await page.request.get(new URL(preview, page.url()).href)).body()).toString()
    t.match(svg, 'viewBox="0 0 841.89 1190.55"', 'the preview is drawn on an A3 sheet')
    t.match(svg, '>As-tu essayé quelque chose<', 'with the French question')
    await look('print-a3-fr')

    // The poster's page is in the region's menu; back to the activities, then to the other region.
    await go(page, 'nav.menu a:has-text("Activiteiten")')
    t.equal(await page.locator('nav.switch a:not([href="/admin/planning/overview"])').count(), 2, 'the region switcher lists both regions')
    t.equal(await page.locator('nav.switch a[href="/admin/planning/overview"]').count(), 1, '…and ends with the overview over both')
    await go(page, 'nav.switch a:not([aria-current]):not([href="/admin/planning/overview"])')
    t.match(page.url(), new RegExp(`/admin/regions/${w.other}/activities$`), 'the same page in the other region')
    t.match(await page.locator('nav.menu.wide').innerText(), 'Regio Haspengouw')
    await look('other-region')
    await signOut(t, page)
    await context.close()
  })

  await t.test('partner member', async (t) => {
    const { context, page } = await open()
    const look = walker(t, page, 'partner', tally)
    await signIn(t, page, look, 'lid@example.be')
    t.match(await heading(page), 'Welkom')
    await look('start')
    await go(page, 'main ul.tiles a')
    await go(page, 'nav.menu a:has-text("Activiteiten")')
    t.equal(await heading(page), 'Activiteiten')
    t.notMatch(await page.locator('main tbody').innerText(), 'Kookworkshop', "another partner's activity is not listed")
    await look('activities')
    await page.fill('#f-title', 'Naaiatelier voor beginners')
    await page.selectOption('#f-audience', 'adults')
    await page.locator('#f-themes label').first().click()
    await go(page, 'main form button:has-text("Toevoegen")')
    t.equal(await heading(page), 'Naaiatelier voor beginners')
    t.match(await page.locator('[role="status"]').innerText(), 'De activiteit is gemaakt.')
    await look('activity-created')
    await page.locator('#f-locations .checks label').first().click()
    await go(page, 'main button:has-text("Affiches maken")')
    t.match(await page.locator('[role="status"]').innerText(), 'De affiches zijn gemaakt.')
    t.equal(await page.locator('#posters + .table tbody tr').count(), 1, 'the new poster is listed')
    const made = await db.selectFrom('posters').innerJoin('activities', 'activities.id', 'posters.activity_id').select(['activities.partner_id', 'posters.code']).where('activities.title', '=', 'Naaiatelier voor beginners').execute()
    t.same(made.map((poster) => poster.partner_id), [w.world.partners.a], "one poster, of the member's own organisation")
    t.equal(await page.locator('#posters + .table tbody code').innerText(), made[0]!.code, 'its code is shown')
    await look('posters-created')
    await go(page, 'main tbody a:has-text("Afdrukken")')
    t.match(await page.locator('main').innerText(), 'Naaiatelier voor beginners')
    await look('print')
    await go(page, 'nav.menu a:has-text("Dashboard")')
    t.match(await page.locator('main').innerText(), 'Bibliotheek Hasselt')
    await look('dashboard')
    await signOut(t, page)
    await context.close()
  })

  await t.test('bridge figure', async (t) => {
    const { context, page } = await open()
    const look = walker(t, page, 'bridge', tally)
    await signIn(t, page, look, 'brug@example.be')
    t.match(await page.locator('#worklist-heading').innerText(), 'Jouw opvolging')
    t.equal(await page.locator('#mine + p + ul.worklist > li').count(), 1, 'their one open request')
    t.equal(await page.locator('#unclaimed + p + ul.worklist > li').count(), 2, 'two waiting for someone')
    await look('home')
    await go(page, `#unclaimed + p + ul.worklist a[href$="/followup/${w.waiting.id}"]`)
    await look('request')
    await go(page, 'main button:has-text("Ik neem deze vraag op")')
    t.match(await page.locator('main .card dl').first().innerText(), 'Opgenomen door jou')
    await page.locator('input[name="result"][value="reached"]').check()
    await go(page, 'main button:has-text("Poging noteren")')
    t.match(await page.locator('main').innerText(), /\d{2}:\d{2}: Bereikt/, 'the attempt is listed')
    await look('request-attempt')
    await page.locator('input[name="outcome"][value="referred"]').check()
    await page.selectOption('#f-offer_id', { label: 'Nederlands oefenen aan tafel (CVO Limburg)' })
    await go(page, 'main button:has-text("Afsluiten")')
    t.match(await page.locator('main').innerText(), 'Doorverwezen naar een aanbod')
    const row = await db.selectFrom('contact_requests').innerJoin('offers', 'offers.id', 'contact_requests.outcome_offer_id').select(['status', 'outcome', 'offers.title']).where('contact_requests.id', '=', w.waiting.id).executeTakeFirstOrThrow()
    t.same(row, { status: 'closed', outcome: 'referred', title: 'Nederlands oefenen aan tafel' }, 'the request is closed with its referral')
    await look('request-closed')
    await go(page, 'nav.menu a:has-text("Leeraanbod")')
    t.match(await page.locator('main tbody tr:has-text("Nederlands oefenen aan tafel")').innerText(), /\b1\b/, 'the referral is counted')
    await look('offers')
    await signOut(t, page)
    await context.close()
  })

  await t.test('admin', async (t) => {
    const { context, page } = await open()
    const look = walker(t, page, 'admin', tally)
    await signIn(t, page, look, 'beheer@example.be')
    await look('start')
    await go(page, 'nav.menu a:has-text("Regio\'s")')
    t.equal(await heading(page), "Regio's")
    t.equal(await page.locator('main tbody tr').count(), 2)
    await look('regions')
    await go(page, 'main tbody a:has-text("Regio Dashboard")')
    await go(page, 'nav.menu a:has-text("Gebruikers")')
    await go(page, 'button[aria-label="Resetlink maken voor partner lid"]')
    t.match(await page.locator('[role="status"]').innerText(), 'Resetlink gemaakt voor partner lid')
    t.match(await page.locator('.link').innerText(), /^http:\/\/127\.0\.0\.1\/login\/reset\/[A-Za-z0-9_-]{43}$/)
    await look('users-reset-link')
    await go(page, 'nav.menu a:has-text("Beheerders")')
    t.notMatch(await page.locator('main tbody').innerText(), 'laatste actieve beheerder', 'with two administrators, no warning')
    await look('admins')
    await go(page, 'a[aria-label="admin tweede uitschakelen"]')
    await go(page, 'main button:has-text("Ja, admin tweede uitschakelen")')
    t.match(await page.locator('[role="status"]').innerText(), 'Het account is uitgeschakeld.')
    const own = page.locator('main tbody tr:has-text("beheer@example.be")')
    t.equal(await own.locator('a.danger, button').count(), 0, 'no disable button for the last active administrator')
    t.match(await own.innerText(), 'admin beheer is de laatste actieve beheerder.', 'their row says why')
    await look('admins-one-left')
    await go(page, 'nav.menu a:has-text("Logboek")')
    t.equal(await heading(page), 'Logboek')
    t.match(await page.locator('main tbody').innerText(), 'user.disable')
    await look('audit')
    await go(page, 'nav.menu a:has-text("Verzoeken van betrokkenen")')
    await page.fill('#f-value', 'jan@voorbeeld.be')
    await go(page, 'main button[value="find"]')
    t.match(await page.locator('[role="status"]').innerText(), 'Gevonden: 1')
    await look('subject-found')
    await signOut(t, page)
    await context.close()
  })

  for (const role of ['coordinator', 'partner', 'bridge', 'admin']) {
    for (const [width] of widths) t.comment(`axe ${role} at ${width}px: ${tally.get(`${role} ${width} pages`) ?? 0} pages, ${tally.get(`${role} ${width}`) ?? 0} violating elements`)
  }
  t.comment(`four walks in ${((Date.now() - started) / 1000).toFixed(1)} s`)
})
