import t from 'tap'
import { buildTestApp, form, formHeaders, seedPoster, ticketFrom } from '../helpers.ts'

t.test('step 1 shows the question and one tap stores exactly one response with the poster context', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)

  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}` })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Heb je vandaag iets nieuws geprobeerd?')
  t.match(page.body, '<html lang="nl" dir="ltr">')
  t.match(page.body, `Repair Café`)
  t.equal(Buffer.byteLength(page.body), Number(page.headers['content-length']))
  t.ok(Buffer.byteLength(page.body) <= 8 * 1024, `step 1 is ${Buffer.byteLength(page.body)} bytes, at most 8 KB`)
  t.notMatch(page.body, '<script', 'no JavaScript on step 1')

  const answer = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'a_bit', lang: 'nl', ticket: ticketFrom(page.body) }) })
  t.equal(answer.statusCode, 303)
  t.match(answer.headers.location, new RegExp(`^/q/${fixture.code}/2\\?t=[0-9a-z]+\\.[0-9a-z]+\\.[A-Za-z0-9_-]{22}&lang=nl$`))

  const rows = await database.db.selectFrom('responses').selectAll().execute()
  t.equal(rows.length, 1, 'exactly one response')
  t.match(rows[0], {
    poster_id: fixture.posterId,
    region_id: fixture.regionId,
    partner_id: fixture.partnerId,
    location_id: fixture.locationId,
    activity_id: fixture.activityId,
    tried_new: 'a_bit',
    language: 'nl',
    step: 1,
    liked: null,
    free_text: null,
  })
})

t.test('the children variant asks the children question', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database, { audience: 'children' })
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}` })
  t.match(page.body, 'Heb je vandaag iets gedaan wat je nog nooit deed, maar wel heel leuk vond?')
})

t.test('lower- and upper-case codes and paths reach the same poster', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  for (const url of [`/q/${fixture.code}`, `/Q/${fixture.code}`, `/q/${fixture.code.toLowerCase()}`, `/Q/${fixture.code.toLowerCase()}`]) {
    const page = await app.inject({ method: 'GET', url })
    t.equal(page.statusCode, 200, url)
    t.match(page.body, `action="/q/${fixture.code}"`, `${url} shows the form of the same poster`)
  }
  const page = await app.inject({ method: 'GET', url: `/Q/${fixture.code.toLowerCase()}` })
  const answer = await app.inject({ method: 'POST', url: `/Q/${fixture.code.toLowerCase()}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket: ticketFrom(page.body) }) })
  t.equal(answer.statusCode, 303)
  const row = await database.db.selectFrom('responses').select('poster_id').executeTakeFirstOrThrow()
  t.equal(row.poster_id, fixture.posterId)
})

t.test('language: ?lang= wins and is remembered, then Accept-Language, then Dutch', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const english = await app.inject({ method: 'GET', url: `/q/${fixture.code}?lang=en` })
  t.match(english.body, 'Did you try something new today?')
  t.match(english.body, '<html lang="en"')
  const cookie = english.cookies.find((c) => c.name === 'lang')
  t.equal(cookie?.value, 'en', 'the choice is kept in a cookie')

  const again = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, cookies: { lang: 'en' } })
  t.match(again.body, 'Did you try something new today?')

  const french = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers: { 'accept-language': 'fr-BE,fr;q=0.9,nl;q=0.5' } })
  t.match(french.body, 'As-tu essayé quelque chose de nouveau')
  t.equal(french.headers['content-language'], 'fr')

  const unknown = await app.inject({ method: 'GET', url: `/q/${fixture.code}?lang=xx`, headers: { 'accept-language': 'de-DE' } })
  t.match(unknown.body, 'Heb je vandaag iets nieuws geprobeerd?', 'unsupported languages fall back to Dutch')

  const answer = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'no', lang: 'fr', ticket: ticketFrom(french.body) }) })
  t.equal(answer.statusCode, 303)
  const row = await database.db.selectFrom('responses').select('language').executeTakeFirstOrThrow()
  t.equal(row.language, 'fr', 'the answer records the language it was given in')
})

t.test('a missing or invalid answer shows step 1 again and stores nothing', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  for (const payload of [form({}), form({ tried_new: 'maybe' }), form({ tried_new: ['yes', 'no'] })]) {
    const res = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload })
    t.equal(res.statusCode, 400, payload)
    t.match(res.body, 'Tik op een van de drie knoppen.')
  }
  const count = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0)
})
