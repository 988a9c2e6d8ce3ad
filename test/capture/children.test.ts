import t from 'tap'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { publish } from '../../src/answers/cell-key.ts'
import { translator } from '../../src/i18n/i18n.ts'
import childDefaults from '../../src/themes/default-child-themes.json' with { type: 'json' }
import defaults from '../../src/themes/default-themes.json' with { type: 'json' }
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, type TestApp } from '../helpers.ts'

/**
 * Children's posters all the way (issue 19): their own short list of themes, their own age
 * bands ("jonger dan 8", "8 of 9", "10 of 11") counted in "jonger dan 12" wherever figures
 * are published, never an adult theme or band; adult posters as they were.
 */

async function themeIdsOf({ database }: TestApp, regionId: number, audience: 'general' | 'children') {
  const rows = await database.db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).where('audience', '=', audience).orderBy('position').execute()
  return rows
}

async function stepTwoPage(ctx: TestApp, code: string, lang: string) {
  const { location } = await answerStepOne(ctx.app, code, { lang })
  const page = await ctx.app.inject({ method: 'GET', url: location })
  return { location, page }
}

t.test('a children’s poster offers only the children’s themes and age bands, in Dutch and in other languages; an adult poster is unchanged', async (t) => {
  const ctx = await buildTestApp(t)
  const kids = await seedPoster(ctx.database, { audience: 'children' })
  const adults = await seedPoster(ctx.database, { regionId: kids.regionId, audience: 'adults' })

  for (const lang of ['nl', 'en', 'ar'] as const) {
    const tr = translator(lang)
    const { page } = await stepTwoPage(ctx, kids.code, lang)
    t.equal(page.statusCode, 200, `${lang}: step 2 of a children’s poster`)
    t.match(page.body, `<html lang="${lang}"`)
    for (const theme of childDefaults.themes) t.match(page.body, `</span>${(theme.label as Record<string, string>)[lang]}</label>`, `${lang}: the children’s theme ${theme.slug}`)
    for (const theme of defaults.themes) t.notMatch(page.body, `</span>${(theme.label as Record<string, string>)[lang]}</label>`, `${lang}: no adult theme ${theme.slug}`)
    for (const band of ['under_8', '8_9', '10_11'] as const) t.match(page.body, `value="${band}">${tr(`step2.age.${band}`)}</label>`, `${lang}: the band ${band}`)
    for (const band of ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus'] as const) {
      t.notMatch(page.body, `value="${band}"`, `${lang}: no adult band ${band}`)
    }
    t.notMatch(page.body, 'name="contact_name"', `${lang}: no contact block`)
  }
  const dutch = (await stepTwoPage(ctx, kids.code, 'nl')).page.body
  for (const label of ['Bouwen en knutselen', 'Computers en robots', 'Jonger dan 8', '8 of 9', '10 of 11']) t.match(dutch, label, `the Dutch words: ${label}`)
  t.notMatch(dutch, 'Jonger dan 12')
  t.notMatch(dutch, 'Digitale vaardigheden')

  const adult = (await stepTwoPage(ctx, adults.code, 'nl')).page.body
  for (const theme of defaults.themes) t.match(adult, `</span>${theme.label.nl}</label>`, `the adult poster still offers ${theme.slug}`)
  for (const theme of childDefaults.themes) t.notMatch(adult, `</span>${theme.label.nl}</label>`, `the adult poster offers no children’s theme ${theme.slug}`)
  for (const band of ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus']) t.match(adult, `value="${band}"`, `the adult poster still offers ${band}`)
  t.notMatch(adult, 'value="8_9"')
  t.match(adult, 'name="contact_name"', 'the adult poster keeps its contact opt-in')
})

t.test('an "8 of 9" answer keeps its band and is counted in "jonger dan 12": rollups, API and the dashboard’s age × location table', async (t) => {
  const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000)
  const ctx = await buildTestApp(t, {}, { now: () => tomorrow })
  const { app, database } = ctx
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => tomorrow })
  const kids = await seedPoster(ctx.database, { audience: 'children' })
  const adults = await seedPoster(ctx.database, { regionId: kids.regionId, audience: 'all' })
  const [build] = await themeIdsOf(ctx, kids.regionId, 'children')

  const bands = ['8_9', '8_9', '8_9', 'under_8', '10_11', '8_9', '8_9']
  for (const band of bands) {
    const { location } = await stepTwoPage(ctx, kids.code, 'nl')
    const res = await app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ liked: '5', themes: String(build!.id), age_band: band, lang: 'nl' }) })
    t.equal(res.statusCode, 303, `the ${band} answer is saved`)
  }
  // Two adults' "jonger dan 12" on a poster for everyone: the same published band as before.
  for (let i = 0; i < 2; i++) {
    const { location } = await stepTwoPage(ctx, adults.code, 'nl')
    t.equal((await app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ age_band: 'under_12' }) })).statusCode, 303)
  }

  const rows = await database.db.selectFrom('responses').select(['age_band', 'child_age_band', 'record_key', 'poster_id']).where('region_id', '=', kids.regionId).execute()
  const kidsRows = rows.filter((row) => row.poster_id === kids.posterId)
  t.same(kidsRows.map((row) => row.child_age_band).sort(), [...bands].sort(), 'each child’s own band is stored')
  t.ok(kidsRows.every((row) => row.age_band === 'under_12'), 'and every one of them has "jonger dan 12" as its age band')
  t.ok(rows.filter((row) => row.poster_id === adults.posterId).every((row) => row.child_age_band === null && row.age_band === 'under_12'), 'an adult poster’s answer has no child band')

  const rollupBands = await database.db.selectFrom('rollup_poster_days').select(['age_band']).distinct().where('region_id', '=', kids.regionId).execute()
  t.ok(
    rollupBands.every((row) => row.age_band === 'under_12' || row.age_band === ''),
    'the rollups know only the published band (and the empty band of step 1)',
  )

  const under12 = rows.filter((row) => row.age_band === 'under_12')
  const expected = publish(under12.length, under12.reduce((sum, row) => sum + row.record_key, 0) % 256)
  t.ok(expected >= 5, 'enough answers to be published')

  const { token } = await createApiToken(database.db, { regionId: kids.regionId, name: 'kids', userId: null })
  const period = `${tomorrow.getUTCFullYear()}-td`
  const api = await app.inject({ url: `/pinned/api/v1/regions/${kids.regionId}/breakdowns?period=${period}`, headers: { authorization: `Bearer ${token}` } })
  t.equal(api.statusCode, 200, api.body.slice(0, 200))
  const json = api.json()
  const under12Row = json.ageBand.rows.find((row: { key: string }) => row.key === 'under_12')
  t.equal(under12Row?.responses.count, expected, 'the API’s "jonger dan 12" counts the children’s bands (the published count of all nine)')
  t.same(json.ageBandByLocation.columns, ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', 'not_given'], 'the age × location table keeps its columns')
  for (const band of ['under_8', '8_9', '10_11']) t.notMatch(api.body, `"${band}"`, `the API never publishes ${band}`)

  await makeUser(database.db, 'coordinator', 'coord-kids@example.be', { regionIds: [kids.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord-kids@example.be', testPassword)
  const dashboard = await coordinator.get(`/admin/dashboard/${kids.regionId}?period=${period}`)
  t.equal(dashboard.statusCode, 200)
  t.match(dashboard.body, 'Jonger dan 12')
  for (const label of ['Jonger dan 8', '8 of 9', '10 of 11']) t.notMatch(dashboard.body, label, `the dashboard never shows ${label}`)
  const csv = await coordinator.get(`/admin/dashboard/${kids.regionId}/export.csv?period=${period}`)
  t.equal(csv.statusCode, 200)
  t.match(csv.body, 'Jonger dan 12')
  for (const label of ['Jonger dan 8', '8 of 9', '10 of 11']) t.notMatch(csv.body, label, `the CSV never shows ${label}`)
})

t.test('a forged answer with an adult theme or band on a children’s poster (or the other way round) gets the form again with a message, and changes nothing', async (t) => {
  const ctx = await buildTestApp(t)
  const kids = await seedPoster(ctx.database, { audience: 'children' })
  const adults = await seedPoster(ctx.database, { regionId: kids.regionId, audience: 'adults' })
  const [adultTheme] = await themeIdsOf(ctx, kids.regionId, 'general')
  const [childTheme] = await themeIdsOf(ctx, kids.regionId, 'children')

  const cases: { poster: typeof kids; lang: string; fields: Record<string, string>; field: string | null; message: string | null }[] = [
    { poster: kids, lang: 'nl', fields: { themes: String(adultTheme!.id) }, field: 'themes', message: 'Kies een onderwerp uit de lijst.' },
    { poster: kids, lang: 'en', fields: { themes: String(adultTheme!.id) }, field: 'themes', message: 'Choose a topic from the list.' },
    { poster: kids, lang: 'nl', fields: { age_band: '25_44' }, field: 'age_band', message: 'Kies een leeftijd uit de lijst.' },
    { poster: kids, lang: 'fr', fields: { age_band: 'under_12' }, field: 'age_band', message: translator('fr')('error.age_band.invalid') },
    { poster: kids, lang: 'nl', fields: { contact_name: 'Mama', contact_value: '0470 12 34 56', contact_consent: 'yes' }, field: null, message: null },
    { poster: adults, lang: 'nl', fields: { themes: String(childTheme!.id) }, field: 'themes', message: 'Kies een onderwerp uit de lijst.' },
    { poster: adults, lang: 'en', fields: { age_band: '8_9' }, field: 'age_band', message: 'Choose an age from the list.' },
  ]
  for (const c of cases) {
    const { location } = await stepTwoPage(ctx, c.poster.code, c.lang)
    const id = Number((await ctx.database.db.selectFrom('responses').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id)
    const res = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ liked: '5', lang: c.lang, ...c.fields }) })
    const row = await ctx.database.db.selectFrom('responses').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const themes = await ctx.database.db.selectFrom('response_themes').selectAll().where('response_id', '=', id).execute()
    const what = `${c.poster === kids ? 'children' : 'adults'} ${c.lang} ${JSON.stringify(c.fields)}`
    if (c.field === null) {
      // Contact fields on a children's poster are never read: the answer is saved without them.
      t.equal(res.statusCode, 303, `${what}: saved without the contact details`)
      t.equal(await ctx.database.db.selectFrom('contact_requests').selectAll().execute().then((r) => r.length), 0, `${what}: no contact request`)
      continue
    }
    t.equal(res.statusCode, 422, what)
    t.match(res.body, c.message!, `${what}: the message in the person’s language`)
    t.match(res.body, `href="#f-${c.field}"`, `${what}: the summary links the field`)
    t.match(row, { step: 1, liked: null, age_band: null, child_age_band: null }, `${what}: the answer is unchanged`)
    t.same(themes, [], `${what}: no theme stored`)
  }
})

t.test('a region edits a children’s theme and its keyword classifies a child’s text, and no adult’s', async (t) => {
  const ctx = await buildTestApp(t)
  const { app, database } = ctx
  const kids = await seedPoster(database, { audience: 'children' })
  const adults = await seedPoster(database, { regionId: kids.regionId, audience: 'all' })
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [kids.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const base = `/admin/regions/${kids.regionId}/themes`

  const list = await coordinator.get(base)
  t.equal(list.statusCode, 200)
  t.match(list.body, 'Thema&#39;s voor kinderen')
  const childrenSection = list.body.slice(list.body.indexOf('id="themes-children"'))
  t.match(childrenSection, 'Bouwen en knutselen', 'the children’s list is on the themes page')

  const science = await database.db.selectFrom('themes').selectAll().where('region_id', '=', kids.regionId).where('slug', '=', 'kinderen-bouwen-knutselen').executeTakeFirstOrThrow()
  const edit = await coordinator.get(`${base}/${science.id}`)
  t.match(edit.body, '<option value="children" selected>', 'the edit form says whose theme it is')
  const saved = await coordinator.post(`${base}/${science.id}`, {
    audience: 'children',
    label_nl: 'Bouwen en proefjes',
    label_en: 'Building and experiments',
    keywords_nl: 'bouwen, proefje*, vulkaan*',
    position: '100',
  })
  t.equal(saved.statusCode, 303)
  const after = await database.db.selectFrom('themes').selectAll().where('id', '=', science.id).executeTakeFirstOrThrow()
  t.equal(after.audience, 'children', 'still a children’s theme')
  t.same(JSON.parse(after.keywords).nl, ['bouwen', 'proefje*', 'vulkaan*'])

  // A new children's theme, with the same Dutch label as a general one.
  const added = await coordinator.post(base, { audience: 'children', label_nl: 'Koken', keywords_nl: 'pizza', position: '120' })
  t.equal(added.statusCode, 303)
  const koken = await database.db.selectFrom('themes').selectAll().where('region_id', '=', kids.regionId).where('slug', '=', 'kinderen-koken').executeTakeFirstOrThrow()
  t.equal(koken.audience, 'children')
  const forged = await coordinator.post(base, { audience: 'toddlers', label_nl: 'Kruipen' })
  t.equal(forged.statusCode, 422, 'an unknown audience is refused with the form again')

  const kidsForm = (await stepTwoPage(ctx, kids.code, 'nl')).page.body
  t.match(kidsForm, '</span>Bouwen en proefjes</label>', 'the children’s form shows the new name')
  t.match(kidsForm, '</span>Koken</label>', 'and the new theme')
  const adultForm = (await stepTwoPage(ctx, adults.code, 'nl')).page.body
  t.notMatch(adultForm, 'Bouwen en proefjes')
  t.notMatch(adultForm, '</span>Koken</label>', 'the children’s new theme is not on an adult poster')

  const text = 'proefjes met vulkanen'
  const { location } = await stepTwoPage(ctx, kids.code, 'nl')
  t.equal((await app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ free_text: text }) })).statusCode, 303)
  const child = await database.db.selectFrom('responses').select('id').where('poster_id', '=', kids.posterId).where('step', '=', 2).executeTakeFirstOrThrow()
  const matched = await database.db.selectFrom('response_themes').selectAll().where('response_id', '=', child.id).execute()
  t.same(
    matched.map((row) => ({ theme: row.theme_id, source: row.source })),
    [{ theme: science.id, source: 'text' }],
    'the child’s text lands on the edited children’s theme',
  )
  t.match(matched[0]!.matched, /^(proefjes|vulkanen)$/, 'and says which word matched')

  const adultAnswer = await stepTwoPage(ctx, adults.code, 'nl')
  t.equal((await app.inject({ method: 'POST', url: adultAnswer.location, headers: formHeaders, payload: form({ free_text: 'ik wil pizza leren bakken' }) })).statusCode, 303)
  const grown = await database.db.selectFrom('responses').select('id').where('poster_id', '=', adults.posterId).where('step', '=', 2).executeTakeFirstOrThrow()
  const grownThemes = await database.db.selectFrom('response_themes').select('theme_id').where('response_id', '=', grown.id).execute()
  t.notOk(grownThemes.some((row) => row.theme_id === koken.id), 'an adult’s text never lands on a children’s theme')

  // The coordinator's texts page reads each text with its own list's keywords and offers that list.
  const texts = await coordinator.get(`/admin/regions/${kids.regionId}/texts?show=all`)
  t.equal(texts.statusCode, 200)
  const item = (id: number) => texts.body.slice(texts.body.indexOf(`id="text-${id}"`), texts.body.indexOf('</form>', texts.body.indexOf(`id="text-${id}"`)))
  const childItem = item(child.id)
  t.match(childItem, 'Bouwen en proefjes', 'the child’s text: its children’s theme')
  t.match(childItem, '<span>Koken</span>', 'the children’s themes are offered to correct it')
  t.notMatch(childItem, 'Digitale vaardigheden', 'and no general theme')
  const grownItem = item(grown.id)
  t.match(grownItem, 'Digitale vaardigheden', 'the adult’s text: the general themes are offered')
  t.notMatch(grownItem, '<span>Koken</span>', 'and no children’s theme')
})
