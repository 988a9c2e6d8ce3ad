import t from 'tap'
import { consentText, consentVersion } from '../../src/followup/contact-form.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster } from '../helpers.ts'

const contactFields = { contact_name: 'Fatima', contact_value: '0474/12.34.56', contact_language: 'العربية', contact_moment: 'evening', contact_consent: 'yes' }

async function themeIds(ctx: Awaited<ReturnType<typeof buildTestApp>>, regionId: number) {
  const rows = await ctx.database.db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).orderBy('position').execute()
  return rows
}

t.test('an adult step 2 asks for contact, stores it apart from the answer with its consent version, and the link withdraws it', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const { location, token } = await answerStepOne(ctx.app, fixture.code, { lang: 'fr' })
  const page = await ctx.app.inject({ method: 'GET', url: location })
  t.match(page.body, /<details id="f-contact">/, 'the contact question is a closed disclosure')
  t.match(page.body, "Tu veux que quelqu&#39;un t&#39;aide à apprendre encore ?")
  t.match(page.body, /Regio \d+/, 'the consent line names who sees the details')

  const themes = await themeIds(ctx, fixture.regionId)
  const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'fr', themes: [String(themes[0]!.id)], free_text: 'coudre', ...contactFields }) })
  t.equal(res.statusCode, 303)
  const thanksUrl = String(res.headers.location)
  t.match(thanksUrl, /\/thanks\?lang=fr&t=[^&]+&w=[A-Za-z0-9_-]{43}$/)

  const rows = await ctx.database.db.selectFrom('contact_requests').selectAll().execute()
  t.equal(rows.length, 1)
  const row = rows[0]!
  t.match(row, { name: 'Fatima', channel: 'phone', contact_value: '+32474123456', preferred_language: 'ar', good_moment: 'evening', language: 'fr', status: 'new', region_id: fixture.regionId })
  const region = await ctx.database.db.selectFrom('regions').select(['name', 'contact_max_age_days']).where('id', '=', fixture.regionId).executeTakeFirstOrThrow()
  t.equal(row.consent_version, consentVersion(consentText('fr', { regionName: region.name, maxAgeDays: region.contact_max_age_days })), 'the hash of the French sentence shown')
  t.notOk(JSON.stringify(rows).includes(new URL(thanksUrl, 'http://x').searchParams.get('w')!), 'the withdrawal token is stored only as a hash')
  const response = await ctx.database.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow()
  t.notMatch(JSON.stringify(response), /Fatima|474/, 'the anonymous answer holds no contact data')
  t.equal(row.response_id, response.id)

  const thanks = await ctx.app.inject({ method: 'GET', url: thanksUrl })
  t.equal(thanks.headers['cache-control'], 'no-store')
  t.equal(thanks.headers['referrer-policy'], 'no-referrer', 'the tokens in the address are not sent on to offer websites')
  t.match(thanks.body, 'Quelqu&#39;un te contactera bientôt.')
  const withdrawUrl = /href="(\/withdraw\?[^"]+)"/.exec(thanks.body)?.[1]?.replace(/&amp;/g, '&')
  t.ok(withdrawUrl, 'the thank-you page gives a private withdrawal link')

  const confirm = await ctx.app.inject({ method: 'GET', url: withdrawUrl! })
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, 'Oui, effacer mes données')
  const after = await ctx.database.db.selectFrom('contact_requests').select('contact_value').executeTakeFirstOrThrow()
  t.equal(after.contact_value, '+32474123456', 'opening the link alone erases nothing')

  const w = new URL(withdrawUrl!, 'http://x').searchParams.get('w')!
  const done = await ctx.app.inject({ method: 'POST', url: '/withdraw', headers: formHeaders, payload: form({ w, lang: 'fr' }) })
  t.equal(done.statusCode, 200)
  t.match(done.body, 'Tes données sont effacées')
  const erased = await ctx.database.db.selectFrom('contact_requests').selectAll().executeTakeFirstOrThrow()
  t.match(erased, { name: null, contact_value: null, withdrawal_token_hash: null, erase_reason: 'withdrawn', status: 'closed' })
  t.ok(erased.erased_at)

  const again = await ctx.app.inject({ method: 'POST', url: '/withdraw', headers: formHeaders, payload: form({ w, lang: 'fr' }) })
  const unknown = await ctx.app.inject({ method: 'GET', url: `/withdraw?w=${'A'.repeat(32)}&lang=fr` })
  const reopened = await ctx.app.inject({ method: 'GET', url: withdrawUrl! })
  for (const page of [again, unknown, reopened]) {
    t.equal(page.statusCode, 404)
    t.match(page.body, 'Ce lien ne marche pas')
    t.notMatch(page.body, /Fatima|0474|effacées/)
  }
  t.equal(again.body.replace(/name="lang".*$/m, ''), unknown.body.replace(/name="lang".*$/m, ''), 'a used link and an unknown link get the same page')
  t.ok(token)
})

t.test('a children\'s poster never shows or accepts contact fields', async (t) => {
  const ctx = await buildTestApp(t)
  const kids = await seedPoster(ctx.database, { audience: 'children' })
  const { location } = await answerStepOne(ctx.app, kids.code)
  const page = await ctx.app.inject({ method: 'GET', url: location })
  t.notMatch(page.body, /contact_value|f-contact/)
  const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'nl', ...contactFields }) })
  t.equal(res.statusCode, 303)
  t.notMatch(String(res.headers.location), /w=/)
  const count = await ctx.database.db.selectFrom('contact_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0)
})

t.test('bad contact input: the form comes back in the person\'s language and nothing is stored', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const cases: [string, Record<string, string>, RegExp][] = [
    ['fr', { ...contactFields, contact_value: '12345' }, /Ce numéro ou cette adresse e-mail n&#39;est pas correct/],
    ['nl', { ...contactFields, contact_value: 'jan@' }, /Dit telefoonnummer of e-mailadres klopt niet/],
    ['nl', { ...contactFields, contact_consent: '' }, /Vink het vakje aan. Anders bewaren we niets./],
    ['en', { ...contactFields, contact_name: '' }, /Please fill in your name/],
    ['ar', { ...contactFields, contact_value: '+32 2 12' }, /رقم الهاتف أو البريد الإلكتروني غير صحيح/],
  ]
  for (const [lang, fields, message] of cases) {
    const { location } = await answerStepOne(ctx.app, fixture.code, { lang })
    const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang, liked: '4', ...fields }) })
    t.equal(res.statusCode, 422, `${lang} ${JSON.stringify(fields.contact_value)}`)
    t.match(res.body, message)
    t.match(res.body, /<details id="f-contact" open>/, 'the contact block is open on the messages')
    t.match(res.body, /<div class="summary" role="alert"/)
  }
  const count = await ctx.database.db.selectFrom('contact_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0, 'no contact request stored')
  const amended = await ctx.database.db.selectFrom('responses').select('id').where('step', '=', 2).execute()
  t.equal(amended.length, 0, 'and no answer half-amended')
})

t.test('e-mail addresses and Belgian phone formats are accepted and normalised', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const good: [string, string][] = [
    ['+32 474 12 34 56', '+32474123456'],
    ['0032 474 12 34 56', '+32474123456'],
    ['0474 12 34 56', '+32474123456'],
    ['02 123 45 67', '+3221234567'],
    ['012/34.56.78', '+3212345678'],
    ['+32 (0)9 123 45 67', '+3291234567'],
    ['Jan.Peeters@Example.BE', 'jan.peeters@example.be'],
  ]
  for (const [typed, stored] of good) {
    const { location } = await answerStepOne(ctx.app, fixture.code)
    const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'nl', ...contactFields, contact_value: typed }) })
    t.equal(res.statusCode, 303, typed)
    const row = await ctx.database.db.selectFrom('contact_requests').select('contact_value').orderBy('id', 'desc').executeTakeFirstOrThrow()
    t.equal(row.contact_value, stored, typed)
  }
})

t.test('the thank-you page lists the region\'s offers for the chosen themes, else the contact line', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const other = await seedPoster(ctx.database)
  const themes = await themeIds(ctx, fixture.regionId)
  const base = { place: 'Bib Tongeren', schedule: 'dinsdag 19u', cost: 'gratis', languages: ['nl', 'ar'], textLanguage: 'nl', audience: 'all' as const, link: 'https://example.be/naai', contact: null, archived: false }
  await createOffer(ctx.database.db, fixture.regionId, { ...base, title: 'Naaiatelier', provider: 'Vormingplus', themeIds: [themes[0]!.id] })
  await createOffer(ctx.database.db, fixture.regionId, { ...base, title: 'Oud aanbod', provider: 'X', themeIds: [themes[0]!.id], archived: true })
  await createOffer(ctx.database.db, fixture.regionId, { ...base, title: 'Kinderkookles', provider: 'Y', themeIds: [themes[0]!.id], audience: 'children' })
  await createOffer(ctx.database.db, fixture.regionId, { ...base, title: 'Fietsles', provider: 'Z', themeIds: [themes[1]!.id] })
  const otherThemes = await themeIds(ctx, other.regionId)
  await createOffer(ctx.database.db, other.regionId, { ...base, title: 'Andere regio', provider: 'W', themeIds: [otherThemes[0]!.id] })

  const { location } = await answerStepOne(ctx.app, fixture.code, { lang: 'ar' })
  const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'ar', themes: [String(themes[0]!.id)] }) })
  const thanks = await ctx.app.inject({ method: 'GET', url: String(res.headers.location) })
  t.match(thanks.body, 'Naaiatelier')
  t.match(thanks.body, '<div class="card offer" lang="nl">', 'the offer text is marked as Dutch on an Arabic page')
  t.notMatch(thanks.body, /Oud aanbod|Kinderkookles|Fietsles|Andere regio/, 'archived, children-only, other-theme and other-region offers are not shown')
  t.notMatch(thanks.body, /012 34 56 78/, 'offers replace the contact line')

  const plain = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/thanks?lang=nl` })
  t.match(plain.body, '012 34 56 78', 'without a (valid) answer token: the region\'s contact line')
  t.notMatch(plain.body, 'Naaiatelier')
  const forged = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/thanks?lang=nl&t=1.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA` })
  t.notMatch(forged.body, 'Naaiatelier', 'a forged token shows no offers')
})

t.test('a withdrawn request sent again is a new request; a kiosk never shows the withdrawal link', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const { location } = await answerStepOne(ctx.app, fixture.code)
  const first = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'nl', ...contactFields }) })
  const w = new URL(String(first.headers.location), 'http://x').searchParams.get('w')!
  await ctx.app.inject({ method: 'POST', url: '/withdraw', headers: formHeaders, payload: form({ w }) })
  t.match(await ctx.database.db.selectFrom('contact_requests').select(['status', 'contact_value']).executeTakeFirstOrThrow(), { status: 'closed', contact_value: null })
  const again = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang: 'nl', ...contactFields, contact_value: 'nieuw@voorbeeld.be' }) })
  t.equal(again.statusCode, 303)
  const rows = await ctx.database.db.selectFrom('contact_requests').select(['status', 'contact_value', 'erased_at', 'outcome', 'closed_at']).execute()
  t.same(rows, [{ status: 'new', contact_value: 'nieuw@voorbeeld.be', erased_at: null, outcome: null, closed_at: null }])

  const page = await ctx.app.inject({ method: 'GET', url: `/k/${fixture.code}` })
  const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)![1]!
  const tap = await ctx.app.inject({ method: 'POST', url: `/k/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket }) })
  const step2 = String(tap.headers.location)
  const kioskCookies = { 'kiosk-answer': tap.cookies.find((c) => c.name === 'kiosk-answer')!.value }
  const form2 = await ctx.app.inject({ method: 'GET', url: step2, cookies: kioskCookies })
  t.match(form2.body, 'autocomplete="off"', 'a shared tablet does not remember what people typed')
  // The kiosk's thank-you page is the answer to the step-2 form itself: no address to find it again.
  const thanks = await ctx.app.inject({ method: 'POST', url: step2, headers: formHeaders, cookies: kioskCookies, payload: form({ lang: 'nl', ...contactFields }) })
  t.equal(thanks.statusCode, 200)
  t.match(thanks.body, 'Iemand neemt binnenkort contact met je op.')
  t.notMatch(thanks.body, '/withdraw', 'no withdrawal link on a shared kiosk screen')
  t.match(thanks.body, 'Zeg het tegen wie je contacteert')
})
