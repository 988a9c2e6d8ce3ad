import t from 'tap'
import { buildTestApp, form, formHeaders, seedPoster, ticketFrom } from '../helpers.ts'

type Ctx = Awaited<ReturnType<typeof buildTestApp>>

/** Step 1 on the kiosk: the step-2 address and the cookie that holds the answer token. */
async function kioskStepOne(ctx: Ctx, code: string, ticket?: string) {
  const page = await ctx.app.inject({ method: 'GET', url: `/k/${code}` })
  const used = ticket ?? ticketFrom(page.body)
  const res = await ctx.app.inject({ method: 'POST', url: `/k/${code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket: used }) })
  const cookie = res.cookies.find((c) => c.name === 'kiosk-answer')!.value
  return { location: String(res.headers.location), cookies: { 'kiosk-answer': cookie }, ticket: used }
}

const stepTwo = (ctx: Ctx, code: string, cookies: Record<string, string>, liked: string) =>
  ctx.app.inject({ method: 'POST', url: `/k/${code}/2`, headers: formHeaders, cookies, payload: form({ lang: 'nl', liked }) })

const liked = async (ctx: Ctx) => (await ctx.database.db.selectFrom('responses').select('liked').orderBy('id').execute()).map((row) => row.liked)

t.test('a kiosk answer takes one step 2, and closes when the tablet moves on', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)

  const one = await kioskStepOne(ctx, fixture.code)
  t.equal(one.location, `/k/${fixture.code}/2?lang=nl`)
  t.equal((await ctx.app.inject({ method: 'GET', url: one.location })).statusCode, 403, 'without the cookie there is no step 2')
  const sent = await stepTwo(ctx, fixture.code, one.cookies, '5')
  t.equal(sent.statusCode, 200, 'the thank-you page is the answer itself')
  t.match(sent.body, 'Bedankt!')
  t.ok(sent.cookies.some((c) => c.name === 'kiosk-answer' && c.value === ''), 'the cookie is cleared')
  t.equal((await stepTwo(ctx, fixture.code, one.cookies, '1')).statusCode, 403, 'a kept step-2 page sent again is refused')
  t.equal((await ctx.app.inject({ method: 'GET', url: one.location, cookies: one.cookies })).statusCode, 403, 'and not shown again')
  // The step-1 form sent again (reload, Back) leads to the same response and a fresh token: still closed.
  const resent = await kioskStepOne(ctx, fixture.code, one.ticket)
  t.equal((await stepTwo(ctx, fixture.code, resent.cookies, '1')).statusCode, 403, 'a step 1 sent again does not reopen it')
  // A kiosk token does not open the poster's own step 2 either.
  t.equal((await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/2?t=${resent.cookies['kiosk-answer']}` })).statusCode, 403)
  t.same(await liked(ctx), [5])

  const skipped = await kioskStepOne(ctx, fixture.code)
  const thanks = await ctx.app.inject({ method: 'GET', url: `/k/${fixture.code}/thanks?lang=nl`, cookies: skipped.cookies })
  t.equal(thanks.statusCode, 200)
  t.equal((await stepTwo(ctx, fixture.code, skipped.cookies, '1')).statusCode, 403, 'skipping to the thank-you page closes the answer')

  const walkedAway = await kioskStepOne(ctx, fixture.code)
  await ctx.app.inject({ method: 'GET', url: `/k/${fixture.code}`, cookies: walkedAway.cookies })
  t.equal((await stepTwo(ctx, fixture.code, walkedAway.cookies, '1')).statusCode, 403, 'the tablet back at step 1 closes the open answer')
  t.same(await liked(ctx), [5, null, null])
})
