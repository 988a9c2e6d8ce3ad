import t from 'tap'
import { createActivity, createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { assistedConsentText, consentVersion } from '../../src/followup/contact-form.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

/**
 * The walk-in point's form (issue 19): what a bridge figure sees and stores, the contact
 * request with the consent read aloud, and bad input — the form again with the message at
 * the field, nothing stored.
 */

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const regionId = await createRegion(db, { slug: `assist-${Math.random().toString(36).slice(2, 8)}`, name: 'Regio Balie' })
  const partnerId = await createPartner(db, regionId, 'Bibliotheek Bree', 'library')
  const locationId = await createLocation(db, regionId, { name: 'Balie Bib Bree' })
  const activityId = await createActivity(db, { partnerId, title: 'Inloopmoment', audience: 'adults' })
  const poster = await createPoster(db, { activityId, locationId })
  const kidsActivity = await createActivity(db, { partnerId, title: 'Knutselclub', audience: 'children' })
  const kidsPoster = await createPoster(db, { activityId: kidsActivity, locationId })
  const otherRegion = await createRegion(db, { slug: `assist-other-${Math.random().toString(36).slice(2, 8)}`, name: 'Andere Regio' })
  const otherPartner = await createPartner(db, otherRegion, 'Elders', 'library')
  const otherPoster = await createPoster(db, {
    activityId: await createActivity(db, { partnerId: otherPartner, title: 'Elders', audience: 'all' }),
    locationId: await createLocation(db, otherRegion, { name: 'Elders' }),
  })
  const themes = await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).orderBy('position').execute()
  const userId = await makeUser(db, 'bridge', 'balie@example.be', { regionIds: [regionId] })
  const bridge = new Browser(app)
  if ((await bridge.signIn('balie@example.be', testPassword)).statusCode !== 303) throw new Error('cannot sign in')
  const path = `/admin/regions/${regionId}/assisted`
  async function submit(fields: Record<string, string | string[]>) {
    const page = await bridge.get(path)
    const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)![1]!
    return bridge.post(path, { ticket, poster_id: String(poster.id), language: 'nl', tried_new: 'a_bit', ...fields })
  }
  const count = async (table: 'responses' | 'contact_requests') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  return { app, db, regionId, poster, kidsPoster, otherPoster, themes, userId, bridge, path, submit, count }
}

t.test('a bridge figure records a question on someone’s behalf: stored as an assisted answer with its step-2 fields', async (t) => {
  const { db, regionId, poster, themes, userId, bridge, path, submit } = await setup(t)
  const page = await bridge.get(path)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Inloopmoment in Balie Bib Bree', 'the places of the region, as activity in location')
  t.notMatch(page.body, 'Elders', 'never another region’s')
  t.match(page.body, 'Heb je vandaag iets nieuws geprobeerd?', 'the step-1 question')
  t.match(page.body, 'Wat wil je hierna leren of proberen?', 'the step-2 fields, with the citizen form’s words')
  t.match(page.body, 'Lees deze zin voor aan de persoon:', 'the consent sentence to read aloud')
  t.match(page.body, `href="/admin/regions/${regionId}/assisted"`, 'the menu links the page')

  const saved = await submit({ liked: '5', themes: [String(themes[0]!.id), String(themes[1]!.id)], free_text: 'Ik wil leren naaien', age_band: '65_plus' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, `${path}?done=assisted.saved`)
  const confirmed = await bridge.get(saved.headers.location as string)
  t.match(confirmed.body, 'Het antwoord is bewaard, gemarkeerd als antwoord met hulp.', 'the confirmation')

  const row = await db.selectFrom('responses').selectAll().where('poster_id', '=', poster.id).executeTakeFirstOrThrow()
  t.match(row, { assisted: 1, tried_new: 'a_bit', liked: 5, age_band: '65_plus', free_text: 'Ik wil leren naaien', step: 2, language: 'nl', region_id: regionId })
  const chosen = await db.selectFrom('response_themes').select(['theme_id', 'source']).where('response_id', '=', row.id).where('source', '=', 'chosen').orderBy('theme_id').execute()
  t.same(chosen.map((theme) => theme.theme_id).sort((a, b) => a - b), [themes[0]!.id, themes[1]!.id].sort((a, b) => a - b), 'the chosen themes')
  // Step 2 moved the answer from the row without an age band to the 65+ row; the first is left at 0.
  const rollup = await db.selectFrom('rollup_poster_days').select(['assisted', 'responses', 'step2', 'liked_5']).where('poster_id', '=', poster.id).where('responses', '>', 0).execute()
  t.same(rollup.map((r) => [Number(r.assisted), Number(r.responses), Number(r.step2), Number(r.liked_5)]), [[1, 1, 1, 1]], 'counted in the rollups in a row of its own, as assisted')
  const entry = await db.selectFrom('audit_log').select(['user_id', 'action', 'resource_id', 'detail']).where('action', '=', 'answer.assisted').executeTakeFirstOrThrow()
  t.match(entry, { user_id: userId, resource_id: row.id }, 'audited: who recorded which answer')
  t.notMatch(entry.detail ?? '', 'naaien', 'the audit entry holds no free text')
})

t.test('contact details need the consent read aloud; with it, the request is stored with that consent', async (t) => {
  const { db, regionId, submit, count } = await setup(t)
  const contact = { contact_name: 'Mina', contact_value: '0470 12 34 56', contact_language: 'ar', contact_moment: 'morning' }
  const refused = await submit({ ...contact, free_text: 'naaien' })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /id="f-contact_consent-error">Lees de toestemming voor en vink aan/, 'the message next to the box')
  t.match(refused.body, 'value="Mina"', 'the input is kept')
  t.match(refused.body, '>naaien</textarea>')
  t.equal(await count('responses'), 0, 'nothing stored')
  t.equal(await count('contact_requests'), 0)

  const saved = await submit({ ...contact, contact_consent: 'yes' })
  t.equal(saved.statusCode, 303)
  const request = await db.selectFrom('contact_requests').selectAll().executeTakeFirstOrThrow()
  const answer = await db.selectFrom('responses').select(['id', 'assisted']).executeTakeFirstOrThrow()
  t.match(request, { response_id: answer.id, region_id: regionId, name: 'Mina', channel: 'phone', preferred_language: 'ar', good_moment: 'morning', status: 'new' })
  t.equal(request.consent_version, consentVersion(assistedConsentText('nl', { regionName: 'Regio Balie', maxAgeDays: 90 })), 'the consent is the sentence that was read aloud')
  t.ok(request.withdrawal_token_hash, 'a withdrawal hash is kept (the link itself is never shown on the staff screen)')
  t.notMatch(assistedConsentText('nl', { regionName: 'Regio Balie', maxAgeDays: 90 }), 'link', 'and the sentence read aloud promises no link')
  t.equal(answer.assisted, 1)
})

t.test('bad input: the form again with the message at the field, nothing stored', async (t) => {
  const { regionId, kidsPoster, otherPoster, themes, submit, count, bridge, path } = await setup(t)
  const general = String(themes.find((theme) => !theme.slug.startsWith('kinderen-'))!.id)
  const forChildren = String(themes.find((theme) => theme.slug.startsWith('kinderen-'))!.id)
  const cases: [string, Record<string, string | string[]>, string, RegExp][] = [
    ['a general theme at a children’s activity', { poster_id: String(kidsPoster.id), themes: general }, 'themes', /alleen thema&#39;s voor kinderen/],
    ['a children’s theme at another activity', { themes: forChildren }, 'themes', /horen alleen bij een activiteit voor kinderen/],
    ['an adult age band at a children’s activity', { poster_id: String(kidsPoster.id), age_band: '25_44' }, 'age_band', /jonger dan 8/],
    ['a children’s age band at another activity', { age_band: '8_9' }, 'age_band', /alleen bij een activiteit voor kinderen/],
    ['no step-1 choice', { tried_new: '' }, 'tried_new', /Kies wat de persoon antwoordde op de eerste vraag/],
    ['a poster of another region', { poster_id: String(otherPoster.id) }, 'poster_id', /Kies waar het gesprek plaatsvond/],
    ['no place', { poster_id: '' }, 'poster_id', /Kies waar het gesprek plaatsvond/],
    ['four themes', { themes: ['1', '2', '3', '4'] }, 'themes', /.+/],
    ['an unknown theme', { themes: ['999999'] }, 'themes', /.+/],
    ['a free text over 280 characters', { free_text: 'a'.repeat(281) }, 'free_text', /280/],
    ['an unknown age band', { age_band: '200_plus' }, 'age_band', /.+/],
    ['a bad phone number', { contact_name: 'Jo', contact_value: '12', contact_consent: 'yes' }, 'contact_value', /.+/],
    ['contact details at a children’s activity', { poster_id: String(kidsPoster.id), contact_name: 'Jo', contact_value: '0470 12 34 56', contact_consent: 'yes' }, 'contact_name', /kinderen/],
  ]
  for (const [name, fields, field, text] of cases) {
    const response = await submit(fields)
    t.equal(response.statusCode, 422, `${name}: 422`)
    const message = new RegExp(`id="f-${field}-error">([^<]*)<`).exec(response.body)?.[1] ?? ''
    t.match(message, text, `${name}: the message at ${field} (“${message}”)`)
  }
  t.equal(await count('responses'), 0, 'nothing stored')
  t.equal(await count('contact_requests'), 0)
  const forged = await bridge.post(path, { poster_id: '1', tried_new: 'yes', language: 'nl', ticket: 'short' })
  t.equal(forged.statusCode, 422, 'a form without its ticket is the form again')
  t.equal(await count('responses'), 0)
  t.ok(regionId)
})

t.test('at a children’s activity the desk records the children’s themes and bands, counted as "jonger dan 12"', async (t) => {
  const { db, kidsPoster, themes, submit, bridge, path } = await setup(t)
  const page = await bridge.get(path)
  t.match(page.body, 'Thema&#39;s voor kinderen', 'the form offers the children’s themes in their own group')
  const robots = themes.find((theme) => theme.slug === 'kinderen-computers-robots')!
  const saved = await submit({ poster_id: String(kidsPoster.id), themes: String(robots.id), age_band: '10_11', free_text: 'ik wil een robot bouwen' })
  t.equal(saved.statusCode, 303)
  const row = await db.selectFrom('responses').select(['id', 'age_band', 'child_age_band', 'assisted']).executeTakeFirstOrThrow()
  t.match(row, { age_band: 'under_12', child_age_band: '10_11', assisted: 1 })
  const stored = await db.selectFrom('response_themes').innerJoin('themes', 'themes.id', 'response_themes.theme_id').select(['themes.audience', 'response_themes.source']).where('response_id', '=', row.id).execute()
  t.ok(stored.length > 0 && stored.every((theme) => theme.audience === 'children'), 'chosen and text themes are all children’s themes')
})

t.test('the same form sent twice stores one answer', async (t) => {
  const { poster, bridge, path, count } = await setup(t)
  const page = await bridge.get(path)
  const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)![1]!
  const fields = { ticket, poster_id: String(poster.id), language: 'nl', tried_new: 'yes' }
  t.equal((await bridge.post(path, fields)).statusCode, 303)
  t.equal((await bridge.post(path, fields)).statusCode, 303)
  t.equal(await count('responses'), 1, 'a double submit is one answer')
})

t.test('partner members and other regions’ staff cannot open it', async (t) => {
  const { app, db, regionId, path } = await setup(t)
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [(await db.selectFrom('partners').select('id').where('region_id', '=', regionId).executeTakeFirstOrThrow()).id] })
  const partner = new Browser(app)
  await partner.signIn('partner@example.be', testPassword)
  t.equal((await partner.get(path)).statusCode, 403, 'a partner member: forbidden')
  t.notMatch((await partner.get(`/admin/regions/${regionId}`)).body, '/assisted"', 'and no menu line')
  await makeUser(db, 'bridge', 'elders@example.be', { regionIds: [] })
  const stranger = new Browser(app)
  await stranger.signIn('elders@example.be', testPassword)
  t.equal((await stranger.get(path)).statusCode, 404, 'a bridge figure of another region: the region is not found')
})
