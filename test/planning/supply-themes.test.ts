import t from 'tap'
import { followupWorld } from '../followup/world.ts'

/**
 * Themes on supply (issue 18): activities and offers carry up to three of the region's own
 * themes; the classifier of the answers suggests them from the title and description, and
 * a suggestion is never stored without "save".
 */

async function themesBySlug(db: Awaited<ReturnType<typeof followupWorld>>['database']['db'], regionId: number) {
  const rows = await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).orderBy('position').execute()
  return Object.fromEntries(rows.map((row) => [row.slug, row.id])) as Record<string, number>
}

const checked = (html: string, id: number) => new RegExp(`name="themes" value="${id}" checked`).test(html)

t.test('activities: up to three themes of the region, bad input refused next to the field, suggestions never stored', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const mine = await themesBySlug(db, w.a.regionId)
  const theirs = await themesBySlug(db, w.b.regionId)
  const [craft, cook, digital, lang] = [mine['ambacht-maken']!, mine['koken-voeding']!, mine['digitaal']!, mine['talen']!]
  t.ok(craft && cook && digital && lang, 'the default themes are there')
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const base = `/admin/regions/${w.a.regionId}/activities`
  const fields = { partner_id: String(w.a.partnerId), title: 'Naaiatelier', description: 'We leren naaien en koken samen.', audience: 'all' }
  const count = async () => Number((await db.selectFrom('activities').select((eb) => eb.fn.countAll().as('n')).where('region_id', '=', w.a.regionId).executeTakeFirstOrThrow()).n)
  const before = await count()

  await coordinator.get(base)
  const suggest = await coordinator.post(base, { ...fields, intent: 'suggest' })
  t.equal(suggest.statusCode, 200, 'suggest shows the form again')
  t.ok(checked(suggest.body, craft) && checked(suggest.body, cook), 'the themes whose keywords are in the text are ticked')
  t.notOk(checked(suggest.body, digital), 'others are not')
  t.match(suggest.body, /voorstel: „naaien”/, 'a suggestion says which word it came from')
  t.match(suggest.body, /er is nog niets opgeslagen/, 'and that nothing is stored yet')
  t.match(suggest.body, /value="Naaiatelier"/, 'the typed title is kept')
  t.equal(await count(), before, 'suggesting stores no activity')

  const none = await coordinator.post(base, { ...fields, title: 'Avond', description: 'Gezellig samenzijn', intent: 'suggest' })
  t.match(none.body, /staat geen trefwoord van een thema/, 'no keyword: the form says so')

  const four = await coordinator.post(base, { ...fields, themes: [String(craft), String(cook), String(digital), String(lang)] })
  t.equal(four.statusCode, 422, 'a fourth theme is refused')
  t.match(four.body, /<span class="error" id="f-themes-error">Kies hoogstens drie thema&#39;s. Er is niets veranderd.<\/span>/, 'with the message next to the field')
  t.equal(await count(), before, 'nothing is created')
  const foreign = await coordinator.post(base, { ...fields, themes: [String(craft), String(theirs['talen'])] })
  t.equal(foreign.statusCode, 422, "another region's theme is refused")
  t.match(foreign.body, /Kies alleen thema&#39;s van deze regio/)
  const unknown = await coordinator.post(base, { ...fields, themes: ['999999'] })
  t.equal(unknown.statusCode, 422, 'an unknown theme id is refused')
  const malformed = await coordinator.post(base, { ...fields, themes: ['1; drop table themes'] })
  t.equal(malformed.statusCode, 422, 'a malformed id is refused')
  t.equal(await count(), before, 'none of them created anything')

  await coordinator.get(base)
  const made = await coordinator.post(base, { ...fields, themes: [String(craft), String(cook)] })
  t.equal(made.statusCode, 303, 'three or fewer of the region are saved')
  const id = Number(/activities\/(\d+)/.exec(String(made.headers.location))![1])
  const stored = async () => (await db.selectFrom('activity_themes').select('theme_id').where('activity_id', '=', id).orderBy('theme_id').execute()).map((row) => row.theme_id)
  t.same(await stored(), [craft, cook].sort((x, y) => x - y))
  const list = await coordinator.get(base)
  t.match(list.body, /Naaiatelier<\/a><\/td><td>[^<]+<\/td><td>[^<]+<\/td><td>Ambacht en maken, Koken en voeding<\/td>/, 'the list shows the themes')

  // Editing: the same rules; a refused edit leaves the stored themes as they were.
  const page = await coordinator.get(`${base}/${id}`)
  t.ok(checked(page.body, craft), 'the edit form shows the stored themes')
  const bad = await coordinator.post(`${base}/${id}`, { ...fields, title: 'Anders', themes: [String(theirs['koken-voeding'])] })
  t.equal(bad.statusCode, 422)
  t.same(await stored(), [craft, cook].sort((x, y) => x - y), 'the themes are unchanged')
  t.equal((await db.selectFrom('activities').select('title').where('id', '=', id).executeTakeFirstOrThrow()).title, 'Naaiatelier', 'and so is the title')
  await coordinator.get(`${base}/${id}`)
  const editSuggest = await coordinator.post(`${base}/${id}`, { ...fields, title: 'Les', description: 'Werken met de computer', themes: [String(craft)], intent: 'suggest' })
  t.ok(checked(editSuggest.body, craft) && checked(editSuggest.body, digital), 'a suggestion keeps what was ticked and adds the match')
  t.same(await stored(), [craft, cook].sort((x, y) => x - y), 'and stores nothing')

  // A partner member of another region cannot use the suggestion to read this region's form.
  const stranger = await w.signIn('partner', [w.b.regionId])
  await stranger.get('/admin')
  t.equal((await stranger.post(base, { ...fields, intent: 'suggest' })).statusCode, 404, 'another region: not found')
})

t.test('offers: the same rules, and the description is stored', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const mine = await themesBySlug(db, w.a.regionId)
  const theirs = await themesBySlug(db, w.b.regionId)
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const base = `/admin/regions/${w.a.regionId}/offers`
  const fields = { title: 'Avondschool', description: 'Nederlands leren en werken met de computer', provider: 'CVO', languages: 'nl', text_language: 'nl', audience: 'adults' }
  const count = async () => Number((await db.selectFrom('offers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  await coordinator.get(`${base}/new`)
  const suggest = await coordinator.post(base, { ...fields, intent: 'suggest' })
  t.equal(suggest.statusCode, 200)
  t.ok(checked(suggest.body, mine['talen']!) && checked(suggest.body, mine['digitaal']!), 'the description names languages and computers')
  t.equal(await count(), 0, 'nothing stored')

  const four = await coordinator.post(base, { ...fields, themes: ['talen', 'digitaal', 'koken-voeding', 'sport-bewegen'].map((slug) => String(mine[slug])) })
  t.equal(four.statusCode, 422)
  t.match(four.body, /id="f-themes-error">Kies hoogstens drie/)
  const foreign = await coordinator.post(base, { ...fields, themes: [String(theirs['talen'])] })
  t.equal(foreign.statusCode, 422)
  t.match(foreign.body, /id="f-themes-error">Kies alleen thema&#39;s van deze regio/)
  t.match(foreign.body, /Nederlands leren en werken met de computer<\/textarea>/, 'the description typed is kept')
  t.equal(await count(), 0, 'nothing stored')

  const made = await coordinator.post(base, { ...fields, themes: [String(mine['talen'])] })
  t.equal(made.statusCode, 303)
  const offer = await db.selectFrom('offers').select(['id', 'description']).executeTakeFirstOrThrow()
  t.equal(offer.description, 'Nederlands leren en werken met de computer')
  t.same((await db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).execute()).map((row) => row.theme_id), [mine['talen']])
  const list = await coordinator.get(base)
  t.match(list.body, /<td[^>]*>Talen<\/td>/, 'the list shows the themes')
  await coordinator.get(`${base}/${offer.id}`)
  const bad = await coordinator.post(`${base}/${offer.id}`, { ...fields, themes: ['999999'] })
  t.equal(bad.statusCode, 422, 'an unknown id on edit')
  t.same((await db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).execute()).map((row) => row.theme_id), [mine['talen']], 'the themes are unchanged')
})
