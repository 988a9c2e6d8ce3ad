import t from 'tap'
import { setPosterStatus } from '../../src/posters/queries.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, type TestApp } from '../helpers.ts'

async function responseCount({ database }: TestApp) {
  const row = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

t.test('an unknown code gets a friendly 404 with a box to type the code', async (t) => {
  const ctx = await buildTestApp(t)
  for (const url of ['/q/ZZZZZZ', '/q/not-a-code-at-all', '/q/%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/q/0O1IL0']) {
    const res = await ctx.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.body, 'Deze code kennen we niet')
    t.match(res.body, '<input type="text" id="code" name="code"')
    t.notMatch(res.body, '<script>', 'nothing typed is rendered unescaped')
  }
  const post = await ctx.app.inject({ method: 'POST', url: '/q/ZZZZZZ', headers: formHeaders, payload: form({ tried_new: 'yes' }) })
  t.equal(post.statusCode, 404)
  t.equal(await responseCount(ctx), 0)
})

t.test('the code entry page sends a typed code to its poster', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const page = await ctx.app.inject({ method: 'GET', url: '/q' })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Typ de code van de affiche')
  const typed = `${fixture.code.slice(0, 3).toLowerCase()} ${fixture.code.slice(3)}`
  const go = await ctx.app.inject({ method: 'GET', url: `/q?code=${encodeURIComponent(typed)}` })
  t.equal(go.statusCode, 303)
  t.equal(go.headers.location, `/q/${fixture.code}`)
  const wrong = await ctx.app.inject({ method: 'GET', url: '/q?code=abc' })
  t.equal(wrong.statusCode, 400)
  t.match(wrong.body, 'Een code heeft 6 letters en cijfers')
})

t.test('paused and retired posters get a friendly page and take no answers', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  await setPosterStatus(ctx.database.db, fixture.posterId, 'paused')
  ctx.app.posterDirectory.forget(fixture.code)
  const paused = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}` })
  t.equal(paused.statusCode, 200)
  t.match(paused.body, 'Deze affiche staat even stil')
  const refused = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes' }) })
  t.equal(refused.statusCode, 409)

  await setPosterStatus(ctx.database.db, fixture.posterId, 'retired')
  ctx.app.posterDirectory.forget(fixture.code)
  const retired = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers: { 'accept-language': 'en' } })
  t.equal(retired.statusCode, 410)
  t.match(retired.body, 'This poster is no longer used')
  const gone = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes' }) })
  t.equal(gone.statusCode, 410)
  t.equal(await responseCount(ctx), 0)
})

t.test('malformed bodies get a clear 4xx page and store nothing', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const url = `/q/${fixture.code}`
  const cases: { name: string; headers: Record<string, string>; payload: string | Buffer; status: number; text: string }[] = [
    { name: 'body over 16 KB', headers: formHeaders, payload: `tried_new=yes&x=${'a'.repeat(17 * 1024)}`, status: 413, text: 'Dat is te veel tekst' },
    { name: 'JSON body', headers: { 'content-type': 'application/json' }, payload: '{"tried_new":"yes"}', status: 415, text: 'Dit formulier konden we niet lezen' },
    { name: 'text body', headers: { 'content-type': 'text/plain' }, payload: 'tried_new=yes', status: 415, text: 'Dit formulier konden we niet lezen' },
    { name: 'percent-encoded invalid UTF-8', headers: formHeaders, payload: 'tried_new=yes&x=%FF%FE', status: 400, text: 'Dit konden we niet lezen' },
    { name: 'raw invalid UTF-8', headers: formHeaders, payload: Buffer.concat([Buffer.from('tried_new=yes&x='), Buffer.from([0xc3, 0x28])]), status: 400, text: 'Dit konden we niet lezen' },
    { name: 'broken percent escape', headers: formHeaders, payload: 'tried_new=yes&x=%E0%A4%A', status: 400, text: 'Dit konden we niet lezen' },
  ]
  for (const c of cases) {
    const res = await ctx.app.inject({ method: 'POST', url, headers: c.headers, payload: c.payload })
    t.equal(res.statusCode, c.status, c.name)
    t.match(res.headers['content-type'], /^text\/html/, `${c.name}: an HTML page, not JSON`)
    t.match(res.body, c.text, c.name)
  }
  t.equal(await responseCount(ctx), 0)
})

t.test('free text is never rendered unescaped', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const first = await answerStepOne(ctx.app, fixture.code)
  const payload = '"><svg onload=alert(1)><script>alert(2)</script>'
  const res = await ctx.app.inject({ method: 'POST', url: first.location, headers: formHeaders, payload: form({ free_text: payload, liked: '7' }) })
  t.equal(res.statusCode, 422)
  t.notMatch(res.body, '<svg onload')
  t.notMatch(res.body, '<script>alert')
  t.match(res.body, '&quot;&gt;&lt;svg onload=alert(1)&gt;')
})

t.test('an unknown page is a friendly 404 in the person’s language', async (t) => {
  const ctx = await buildTestApp(t)
  const res = await ctx.app.inject({ method: 'GET', url: '/nothing/here', headers: { 'accept-language': 'fr-BE' } })
  t.equal(res.statusCode, 404)
  t.match(res.body, 'Cette page n&#39;existe pas')
  t.match(res.body, '<html lang="fr"')
})

t.test('an unexpected failure shows a generic page with the request id, never a stack trace', async (t) => {
  const ctx = await buildTestApp(t)
  ctx.app.get('/explode', async () => {
    throw new Error('secret internal detail')
  })
  const res = await ctx.app.inject({ method: 'GET', url: '/explode' })
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, 'Er ging iets mis')
  t.match(res.body, /Geef deze code aan wie de activiteit organiseert: [0-9a-f]{6}-[0-9a-z]+/)
  t.notMatch(res.body, 'secret internal detail')
})
