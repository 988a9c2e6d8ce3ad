import t from 'tap'
import { signAnswerToken } from '../../src/capture/answer-token.ts'
import { answerSecret, answerStepOne, buildTestApp, form, formHeaders, seedPoster, type TestApp } from '../helpers.ts'

async function themeIds({ database }: TestApp, regionId: number) {
  const rows = await database.db.selectFrom('themes').select('id').where('region_id', '=', regionId).orderBy('position').execute()
  return rows.map((row) => row.id)
}

t.test('step 2 amends the response of step 1 with a valid token', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const { location } = await answerStepOne(ctx.app, fixture.code)
  const page = await ctx.app.inject({ method: 'GET', url: location })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Vond je het leuk?')
  t.match(page.body, 'Wat wil je hierna leren of proberen?')
  t.match(page.body, 'Digitale vaardigheden', 'the region themes are offered')
  t.equal(page.headers['cache-control'], 'no-store')

  const [first, second] = await themeIds(ctx, fixture.regionId)
  const res = await ctx.app.inject({
    method: 'POST',
    url: location,
    headers: formHeaders,
    payload: form({ liked: '4', themes: [String(first), String(second)], free_text: '  Ik wil leren fietsen 🚲  ', age_band: '65_plus', lang: 'nl' }),
  })
  t.equal(res.statusCode, 303)
  t.match(res.headers.location, new RegExp(`^/q/${fixture.code}/thanks\\?lang=nl&t=[^&]+$`), "the thank-you page carries the signed answer token (for its offers)")

  const row = await ctx.database.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow()
  t.match(row, { liked: 4, age_band: '65_plus', free_text: 'Ik wil leren fietsen 🚲', step: 2, tried_new: 'yes' })
  const themes = await ctx.database.db.selectFrom('response_themes').selectAll().orderBy('theme_id').execute()
  t.same(
    themes.filter((r) => r.source === 'chosen').map((r) => r.theme_id),
    [first, second].sort((a, b) => Number(a) - Number(b)),
  )
  // The free text is classified too, and the match says why: "fietsen" is a prefix match of fiets*.
  const sport = await ctx.database.db.selectFrom('themes').select('id').where('region_id', '=', fixture.regionId).where('slug', '=', 'sport-bewegen').executeTakeFirstOrThrow()
  const fromText = themes.filter((r) => r.source === 'text')
  t.ok(fromText.some((r) => r.theme_id === sport.id && r.matched === 'fietsen'), 'classified as sport, because of "fietsen"')

  const thanks = await ctx.app.inject({ method: 'GET', url: res.headers.location as string })
  t.equal(thanks.statusCode, 200)
  t.match(thanks.body, 'Bedankt!')
  t.match(thanks.body, 'Bel de brugfiguur: 012 34 56 78', 'the region contact line is the next step')

  // Going back and changing your mind replaces the chosen themes.
  const again = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ themes: String(second) }) })
  t.equal(again.statusCode, 303)
  const after = await ctx.database.db.selectFrom('response_themes').select('theme_id').execute()
  t.same(after.map((r) => r.theme_id), [second])
})

t.test('a tampered, expired or foreign token is refused and changes nothing', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const other = await seedPoster(ctx.database, { regionId: fixture.regionId })
  const { token } = await answerStepOne(ctx.app, fixture.code)
  const [id, expiry, mac] = token.split('.') as [string, string, string]
  const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A')
  const expired = signAnswerToken(await answerSecret(ctx.app), fixture.code, parseInt(id, 36), Math.floor(Date.now() / 1000) - 3 * 3600)
  const cases = {
    tampered: `/q/${fixture.code}/2?t=${id}.${expiry}.${flipped}`,
    'other response id': `/q/${fixture.code}/2?t=${(parseInt(id, 36) + 1).toString(36)}.${expiry}.${mac}`,
    'later expiry': `/q/${fixture.code}/2?t=${id}.${(parseInt(expiry, 36) + 9999).toString(36)}.${mac}`,
    expired: `/q/${fixture.code}/2?t=${expired}`,
    'another poster': `/q/${other.code}/2?t=${token}`,
    malformed: `/q/${fixture.code}/2?t=%3Cscript%3E`,
    missing: `/q/${fixture.code}/2`,
  }
  for (const [name, url] of Object.entries(cases)) {
    const get = await ctx.app.inject({ method: 'GET', url })
    t.equal(get.statusCode, 403, `GET ${name}`)
    t.match(get.body, 'Deze pagina is verlopen')
    const post = await ctx.app.inject({ method: 'POST', url, headers: formHeaders, payload: form({ liked: '1', free_text: 'hacked' }) })
    t.equal(post.statusCode, 403, `POST ${name}`)
  }
  const row = await ctx.database.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow()
  t.match(row, { liked: null, free_text: null, step: 1 }, 'the response is untouched')
})

t.test('invalid step 2 input shows the form again with the input and a message, and changes nothing', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const { location } = await answerStepOne(ctx.app, fixture.code)
  const ids = (await themeIds(ctx, fixture.regionId)).map(String)

  const tooMany = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ themes: ids.slice(0, 4), free_text: 'mijn <b>tekst</b>' }) })
  t.equal(tooMany.statusCode, 422)
  t.match(tooMany.body, 'Kies niet meer dan drie onderwerpen.')
  t.match(tooMany.body, 'href="#f-themes"', 'the error summary links to the field')
  t.match(tooMany.body, 'mijn &lt;b&gt;tekst&lt;/b&gt;</textarea>', 'the typed text comes back, escaped')
  t.equal((tooMany.body.match(/ checked>/g) ?? []).length, 4, 'the ticked boxes stay ticked')

  const long = 'ä'.repeat(281)
  const tooLong = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ free_text: long, liked: '5' }) })
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, 'Je tekst is te lang. Niet meer dan 280 tekens.')
  t.match(tooLong.body, long)

  // 280 graphemes are fine even when they are many code units (a flag is two code points).
  const family = '🇧🇪'.repeat(280)
  const emojis = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ free_text: family }) })
  t.equal(emojis.statusCode, 303, '280 emoji count as 280 characters')
  await ctx.database.db.updateTable('responses').set({ free_text: null, step: 1 }).execute()

  const unknownTheme = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ themes: '999999' }) })
  t.equal(unknownTheme.statusCode, 422)
  t.match(unknownTheme.body, 'Kies een onderwerp uit de lijst.')

  const badLiked = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ liked: '9', age_band: 'old' }) })
  t.equal(badLiked.statusCode, 422)
  t.match(badLiked.body, 'Kies een van de gezichtjes.')
  t.match(badLiked.body, 'Kies een leeftijd uit de lijst.')

  const control = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ free_text: 'a\u0000b' }) })
  t.equal(control.statusCode, 422)
  t.match(control.body, 'Je tekst bevat vreemde tekens.')

  const english = await ctx.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ themes: ids.slice(0, 5), lang: 'en' }) })
  t.match(english.body, 'Choose no more than three topics.', 'the message is in the person’s language')

  const row = await ctx.database.db.selectFrom('responses').selectAll().executeTakeFirstOrThrow()
  t.match(row, { liked: null, free_text: null, age_band: null, step: 1 })
  const themes = await ctx.database.db.selectFrom('response_themes').selectAll().execute()
  t.equal(themes.length, 0)
})

t.test('the thank-you page links to the region’s "what we did with your answers" page once it has updates', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const before = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/thanks?lang=nl` })
  t.notMatch(before.body, 'Wat we met jullie antwoorden deden')
  const { addRegionUpdate } = await import('../../src/updates/queries.ts')
  const { makeUser } = await import('../auth/browser.ts')
  const userId = await makeUser(ctx.database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await addRegionUpdate(ctx.database.db, { regionId: fixture.regionId, themeId: null, body: 'Dankzij jullie start in maart een taalcafé.', userId })
  const after = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/thanks?lang=nl` })
  t.match(after.body, /<a href="\/regio\/[^"]+\?lang=nl">Wat we met jullie antwoorden deden<\/a>/)
  const slug = /href="(\/regio\/[^"?]+)/.exec(after.body)![1]!
  const page = await ctx.app.inject({ method: 'GET', url: slug })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Dankzij jullie start in maart een taalcafé.')
})
