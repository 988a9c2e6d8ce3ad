import { mkdirSync, writeFileSync } from 'node:fs'
import t from 'tap'
import { cellKey, K, publish } from '../../src/answers/cell-key.ts'
import { addRegionUpdate, setRegionUpdateHidden } from '../../src/updates/queries.ts'
import { makeUser } from '../auth/browser.ts'
import { buildTestApp } from '../helpers.ts'
import { pageCount, pdfLines, renderPages } from '../posters/pdf-tools.ts'
import { signedIn } from './people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf, type StoredAnswer } from '../planning/world.ts'

/**
 * The report's back side, "Wat we leerden en wat we deden" (issue 18), on the planning
 * world, whose demand and supply are known: the top needs, the needs without an offer, the
 * change against a year before, the follow-up outcomes and the region's updates, each
 * figure computed here from what the test stored, never read back from the rollups.
 */

const artifacts = new URL('../artifacts/', import.meta.url)

/** The supply of 2026-Q3's window, by theme slug (test/planning/world.ts makes it). */
const supplyQ3: Record<string, number> = { 'koken-voeding': 1, 'natuur-tuin': 1, digitaal: 1, 'ambacht-maken': 1 }

function inQ3(a: StoredAnswer) {
  const day = brusselsDayOf(a.createdAt)
  return day >= '2026-07-01' && day <= '2026-09-30'
}

function inQ2(a: StoredAnswer) {
  const day = brusselsDayOf(a.createdAt)
  return day >= '2026-04-01' && day <= '2026-06-30'
}

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const world = await buildPlanningWorld(db)
  const themes = await db.selectFrom('themes').select(['id', 'slug', 'labels']).where('region_id', '=', world.regionId).execute()
  const label = Object.fromEntries(themes.map((theme) => [theme.slug, (JSON.parse(theme.labels) as Record<string, string>).nl!]))
  return { app, db, world, label }
}

t.test('the back side: top needs, gaps, change, follow-up and updates, in order, as computed from what was stored', async (t) => {
  const { app, db, world, label } = await setup(t)
  const bridgeId = await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [world.regionId] })

  // Follow-up: paths that began with Q3 answers, with steps dated in Q3 (and one in Q2, which does not count).
  const q3 = world.answers.filter(inQ3)
  const stepKeys: Record<string, number[]> = {}
  const nextStepAnswers: StoredAnswer[] = []
  let person = 0
  async function path(answer: StoredAnswer, steps: [kind: 'conversation' | 'referral' | 'trial' | 'started' | 'completed' | 'stopped', day: string, key: number][]) {
    const request = await db
      .insertInto('contact_requests')
      .values({
        response_id: answer.id,
        region_id: world.regionId,
        name: `Traject ${++person}`,
        channel: 'phone',
        contact_value: `+3248${String(person).padStart(7, '0')}`,
        preferred_language: 'nl',
        good_moment: 'any',
        consent_version: 'test',
        language: 'nl',
        created_at: answer.createdAt,
        status: 'new',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const [kind, day, key] of steps) {
      await db.insertInto('path_steps').values({ contact_request_id: request.id, kind, on_day: day, offer_id: null, note: null, recorded_by: bridgeId, recorded_at: `${day}T15:00:00.000Z`, record_key: key }).execute()
      if (day >= '2026-07-01' && day <= '2026-09-30') (stepKeys[kind] ??= []).push(key)
    }
    if (steps.some(([kind, day]) => ['trial', 'started', 'completed'].includes(kind) && day >= '2026-07-01' && day <= '2026-09-30')) nextStepAnswers.push(answer)
  }
  // Answers without a contact request yet (the world's requests are on language answers).
  const free = q3.filter((a) => a.themes.length === 0)
  for (let i = 0; i < 8; i++) {
    const steps: Parameters<typeof path>[1] = [['conversation', '2026-07-15', 30 + 7 * i]]
    if (i < 7) steps.push(['referral', '2026-07-20', 11 * i + 3])
    if (i < 6) steps.push(['started', '2026-08-10', 19 * i + 5])
    if (i === 6) steps.push(['completed', '2026-06-20', 77]) // in Q2: not a next step of Q3
    await path(free[i]!, steps)
  }

  // Updates: three visible ones (the newest first on paper) and a hidden one.
  const coordinatorId = await makeUser(db, 'coordinator', 'updates@example.be', { regionIds: [world.regionId] })
  await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes['talen']!, body: 'Vanaf januari een taalcafé op zaterdag in de bib van Borgloon.', userId: coordinatorId }, new Date('2026-10-20T09:00:00Z'))
  await addRegionUpdate(db, { regionId: world.regionId, themeId: null, body: 'We bespraken jullie antwoorden met de partners op het kwartaaloverleg.', userId: coordinatorId }, new Date('2026-11-05T09:00:00Z'))
  const hidden = await addRegionUpdate(db, { regionId: world.regionId, themeId: null, body: 'Dit bericht is verborgen.', userId: coordinatorId }, new Date('2026-11-10T09:00:00Z'))
  await setRegionUpdateHidden(db, world.regionId, hidden, true)
  await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes['digitaal']!, body: 'Een tweede computerclub start in Tongeren.', userId: coordinatorId }, new Date('2026-11-25T09:00:00Z'))

  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const response = await coordinator.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-Q3`)
  t.equal(response.statusCode, 200)
  const pdf = response.rawPayload
  t.equal(pageCount(pdf), 2, 'exactly two pages: one sheet, two sides')
  mkdirSync(artifacts, { recursive: true })
  writeFileSync(new URL('report-two-sided.pdf', artifacts), pdf)
  const { files, cleanup } = await renderPages(pdf, { dpi: 110 })
  t.teardown(cleanup)
  t.equal(files.length, 2, 'poppler renders two pages')
  for (const [index, file] of files.entries()) writeFileSync(new URL(`report-two-sided-${index + 1}.png`, artifacts), (await import('node:fs')).readFileSync(file))

  const pages = (await pdfLines(pdf)).split('\f')
  const front = pages[0]!
  const back = pages[1]!
  t.match(front, 'Dashboard Regio Planning', 'the front is the dashboard')
  t.notMatch(front, 'Wat we leerden en wat we deden')
  const lines = back.split('\n')
  t.equal(lines[1], 'Wat we leerden en wat we deden', 'the back side’s title')
  t.match(back.replace(/\s+/g, ' '), 'Periode 2026-Q3: 2026-07-01 tot en met 2026-09-30. Vergeleken met 2025-Q3, een jaar eerder.')

  // The top needs: published demand per theme in Q3, largest first, then by label.
  const total = publishedOf(q3)
  const collator = new Intl.Collator('nl')
  const percent = new Intl.NumberFormat('nl-BE', { style: 'percent', maximumFractionDigits: 0 })
  const demand = Object.keys(world.themes).map((slug) => ({ slug, label: label[slug]!, demand: publishedOf(q3.filter((a) => a.themes.includes(slug))) }))
  const needs = demand.filter((d) => d.demand > 0).sort((a, b) => b.demand - a.demand || collator.compare(a.label, b.label)).slice(0, 6)
  t.ok(needs.length >= 3, 'themes to rank')
  const needLines = needs.map((need) => `${need.label} ${need.demand} ${percent.format(Math.round((100 * need.demand) / total) / 100)} 0`)
  const at = (line: string) => lines.indexOf(line)
  for (const line of needLines) t.ok(at(line) > 0, `need: ${line}`)
  t.same(needLines.map(at), [...needLines.map(at)].sort((a, b) => a - b), 'the needs in order, largest first')

  // Needs without an offer: D ≥ k and nothing on offer in the window, by D (then the rise against Q2).
  const q2 = world.answers.filter(inQ2)
  const gaps = demand
    .filter((d) => d.demand >= K && (supplyQ3[d.slug] ?? 0) === 0)
    .map((d) => ({ ...d, trend: d.demand - publishedOf(q2.filter((a) => a.themes.includes(d.slug))), pressure: publishedOf(world.openRequests.filter((r) => r.themes.includes(d.slug))) }))
    .sort((a, b) => b.demand - a.demand || b.trend - a.trend || collator.compare(a.label, b.label))
  t.ok(gaps.some((gap) => gap.slug === 'talen'), 'languages: a need without an offer')
  const gapsAt = at('Vraag zonder aanbod')
  t.ok(gapsAt > Math.max(...needLines.map(at)), 'the gaps come after the needs')
  const gapLines = gaps.map((gap) => `${gap.label} ${gap.demand} ${gap.pressure}`)
  for (const line of gapLines) t.ok(lines.indexOf(line, gapsAt) > gapsAt, `gap: ${line}`)
  for (const slug of Object.keys(supplyQ3)) t.notOk(lines.slice(gapsAt).some((line) => line.startsWith(`${label[slug]} `)), `${slug} has an offer: not a gap`)

  // What changed: Q3 against Q3 a year before (no answers then). Every answer said "yes".
  const changeAt = at('Wat veranderde tegenover vorig jaar')
  t.equal(lines[changeAt + 1], '2026-Q3 2025-Q3', 'the two periods side by side')
  t.equal(lines[changeAt + 2], `Antwoorden ${total} 0`, 'the answers now and a year before (none then)')
  t.equal(lines[changeAt + 3], 'Probeerde iets nieuws 100% –', 'everyone tried something new; a year before there is no share')

  // Follow-up outcomes, each published over its steps' record keys; paths over their answers' keys.
  const published = (keys: number[] | undefined) => (keys === undefined ? 0 : publish(keys.length, cellKey(keys.reduce((a, b) => a + b, 0))))
  t.ok(lines.includes(`gesprekken met een brugfiguur ${published(stepKeys.conversation)}`), 'conversations')
  t.ok(lines.includes(`doorverwijzingen naar aanbod ${published(stepKeys.referral)}`), 'referrals')
  t.ok(lines.includes(`gestart met een cursus ${published(stepKeys.started)}`), 'started a course')
  t.ok(lines.includes('afgerond 0'), 'the completion was in Q2')
  t.ok(lines.includes(`trajecten met een volgende stap ${publishedOf(nextStepAnswers)}`), 'paths with a next step')

  // Updates: newest first, the hidden one left out.
  const updatesAt = at('Wat we deden met de antwoorden')
  t.ok(updatesAt > gapsAt, 'the updates at the foot')
  const order = ['2026-11-25 · Digitale vaardigheden', 'Een tweede computerclub start in Tongeren.', '2026-11-05', 'We bespraken jullie antwoorden', '2026-10-20 · Talen', 'Vanaf januari een taalcafé']
  const positions = order.map((text) => lines.findIndex((line, index) => index > updatesAt && line.startsWith(text)))
  t.notOk(positions.includes(-1), `every update is printed (${JSON.stringify(positions)})`)
  t.same(positions, [...positions].sort((a, b) => a - b), 'newest first')
  t.notMatch(back, 'Dit bericht is verborgen.', 'a hidden update is not printed')
  t.notMatch(back, 'Ik wil', 'no free text of any citizen')

  // English, as the staff pages.
  const english = await coordinator.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-Q3&lang=en`)
  const englishBack = (await pdfLines(english.rawPayload)).split('\f')[1]!
  t.match(englishBack, 'What we learned and what we did')
  t.match(englishBack, 'Needs without an offer')
})

t.test('a running period on the front: the back covers the last complete one; a partner member’s back shows their own figures', async (t) => {
  const { app, db, world, label } = await setup(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const running = await coordinator.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-Q4-td`)
  t.equal(running.statusCode, 200)
  const back = (await pdfLines(running.rawPayload)).split('\f')[1]!.replace(/\s+/g, ' ')
  t.match(back, 'Periode 2026-Q3: 2026-07-01 tot en met 2026-09-30, de laatste volledige periode (de voorkant loopt nog).')

  const member = await signedIn(app, db, 'partner', { partnerIds: [world.partners[0]!] })
  const own = await member.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-Q3`)
  t.equal(own.statusCode, 200)
  t.equal(pageCount(own.rawPayload), 2)
  const ownBack = (await pdfLines(own.rawPayload)).split('\f')[1]!
  const mine = world.answers.filter((a) => inQ3(a) && a.partner === world.partners[0])
  const languages = publishedOf(mine.filter((a) => a.themes.includes('talen')))
  t.match(ownBack, new RegExp(`^${label['talen']} ${languages} `, 'm'), 'languages as asked at their own posters')
  t.match(ownBack.replace(/\s+/g, ' '), 'Je ziet alleen de antwoorden bij de affiches van Bib Borgloon.')
})

t.test('many long updates: the back side is cut to its room, the report stays one sheet', async (t) => {
  const { app, db, world } = await setup(t)
  const coordinatorId = await makeUser(db, 'coordinator', 'crowded@example.be', { regionIds: [world.regionId] })
  const long = 'We zetten samen met de bibliotheek, het CVO en het buurthuis een reeks avonden op waarin mensen elkaar helpen met wat ze nog niet kunnen, van formulieren tot een eerste les Nederlands. '.repeat(4).slice(0, 590)
  for (let i = 0; i < 30; i++) {
    await addRegionUpdate(db, { regionId: world.regionId, themeId: world.themes['talen']!, body: `${i + 1}. ${long}`, userId: coordinatorId }, new Date(Date.UTC(2026, 9, 1 + i, 9)))
  }
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const pdf = (await coordinator.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-Q3`)).rawPayload
  writeFileSync(new URL('report-two-sided-crowded.pdf', artifacts), pdf)
  t.equal(pageCount(pdf), 2, 'still two pages')
  const back = (await pdfLines(pdf)).split('\f')[1]!
  const shown = [...back.matchAll(/^2026-10-\d\d · Talen$/gm)].length
  t.ok(shown >= 3, `the newest updates are printed (${shown})`)
  t.match(back, new RegExp(`^en nog ${30 - shown} andere$`, 'm'), 'with a line that says how many more there are')
  t.match(back, /^2026-10-30 · Talen$/m, 'the newest first')
})
