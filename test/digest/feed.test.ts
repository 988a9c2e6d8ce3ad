import t from 'tap'
import { xml2js, type Element } from 'xml-js'
import { tokenHash } from '../../src/auth/tokens.ts'
import { csrfFrom } from '../auth/browser.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf } from '../planning/world.ts'

/**
 * A digest's Atom feed (issue 19): opened without a session by a feed link whose token is
 * stored only as a hash; the feed parses as XML and holds one entry per complete month with
 * the digest's published figures; the link stops working when revoked or when its maker may
 * no longer see the digest; only those who may read a digest make links to it.
 */

const children = (el: Element | undefined, name: string) => (el?.elements ?? []).filter((e) => e.name === name)
const text = (el: Element | undefined) => (el?.elements ?? []).map((e) => e.text ?? e.cdata ?? '').join('')

t.test('a partner member makes a feed link; a feed reader opens it without a session; revoked, it is gone', async (t) => {
  const ctx = await buildTestApp(t, {}, { now: () => now })
  const db = ctx.database.db
  const w = await buildPlanningWorld(db)
  const [p1, p2] = w.partners as [number, number]
  const member = await signedIn(ctx.app, db, 'partner', { partnerIds: [p1] })
  const other = await signedIn(ctx.app, db, 'partner', { partnerIds: [p2] })
  const digest = `/admin/regions/${w.regionId}/partners/${p1}/digest`

  // Another partner's member cannot make a link to this digest, and nothing is stored.
  const otherPage = await other.get(`/admin/regions/${w.regionId}/partners/${p2}/digest`)
  const refused = await other.post(`${digest}/feed`, { _csrf: csrfFrom(otherPage.body) })
  t.equal(refused.statusCode, 403, 'another partner’s member: 403')
  t.equal((await db.selectFrom('digest_feed_links').selectAll().execute()).length, 0, 'nothing stored')

  const page = await member.get(digest)
  const made = await member.post(`${digest}/feed`, { _csrf: csrfFrom(page.body) })
  t.equal(made.statusCode, 200)
  const link = /<span class="link">(http[^<]+\/digest\/feed\/([\w-]{43}))<\/span>/.exec(made.body)
  t.ok(link, 'the new link is shown once')
  const token = link![2]!
  const stored = await db.selectFrom('digest_feed_links').selectAll().execute()
  t.equal(stored.length, 1)
  t.equal(stored[0]!.token_hash, tokenHash(token), 'only the hash is stored')
  t.notMatch(JSON.stringify(stored), token, 'not the token itself')
  t.notMatch((await member.get(digest)).body, token, 'the page never shows it again')

  const feed = await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })
  t.equal(feed.statusCode, 200, 'no session needed')
  t.match(feed.headers['content-type'], 'application/atom+xml')
  t.equal(feed.headers['referrer-policy'], 'no-referrer')
  const root = xml2js(feed.body) as Element
  const atom = children(root, 'feed')[0]
  t.ok(atom, 'parses as XML with an Atom <feed>')
  t.equal(atom!.attributes?.xmlns, 'http://www.w3.org/2005/Atom')
  const entries = children(atom, 'entry')
  t.equal(entries.length, 6, 'six complete months')
  t.same(
    entries.map((e) => text(children(e, 'title')[0])),
    ['november', 'oktober', 'september', 'augustus', 'juli', 'juni'].map((m) => `Maandoverzicht ${w.partnerNames[0]}, ${m} 2026`),
    'one entry per month, newest first',
  )
  t.notMatch(feed.body, token, 'the token is not inside the feed (ids are tag URIs)')
  const september = text(children(entries[2], 'content')[0])
  const mine = w.answers.filter((a) => a.partner === p1 && brusselsDayOf(a.createdAt).startsWith('2026-09'))
  t.match(september, `antwoorden: <b>${publishedOf(mine)}</b>`, 'September: the partner’s published answers')
  t.notMatch(feed.body, /Persoon \d|\+3247/, 'nobody is named')

  // Malformed and unknown tokens: the ordinary 404 page.
  for (const bad of ['kort', 'x'.repeat(43), `${token.slice(0, 42)}!`]) {
    t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${encodeURIComponent(bad)}` })).statusCode, 404, `${bad.slice(0, 8)}…: 404`)
  }

  // The maker leaves the partner: their link stops working.
  await db.deleteFrom('user_partners').where('partner_id', '=', p1).execute()
  t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })).statusCode, 404, 'its maker may not see the digest any more: 404')
  await db.insertInto('user_partners').values({ user_id: stored[0]!.created_by, partner_id: p1 }).execute()
  t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })).statusCode, 200, 'back in the partner: it works again')

  // Revoked: gone. Another partner's member cannot revoke it.
  const otherPage2 = await other.get(`/admin/regions/${w.regionId}/partners/${p2}/digest`)
  t.equal((await other.post(`${digest}/feed/${stored[0]!.id}/revoke`, { _csrf: csrfFrom(otherPage2.body) })).statusCode, 403, 'another partner’s member cannot revoke it')
  t.equal((await other.post(`/admin/regions/${w.regionId}/partners/${p2}/digest/feed/${stored[0]!.id}/revoke`, { _csrf: csrfFrom(otherPage2.body) })).statusCode, 404, 'nor through their own digest')
  t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })).statusCode, 200, 'still open')
  const page2 = await member.get(digest)
  const revoked = await member.post(`${digest}/feed/${stored[0]!.id}/revoke`, { _csrf: csrfFrom(page2.body) })
  t.equal(revoked.statusCode, 303)
  t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })).statusCode, 404, 'revoked: 404')
  t.match((await member.get(digest)).body, 'Nog geen feedlinks.', 'no active link listed')
})

t.test('a coordinator’s region feed; a bridge figure makes one too; a partner member cannot', async (t) => {
  const ctx = await buildTestApp(t, {}, { now: () => now })
  const db = ctx.database.db
  const w = await buildPlanningWorld(db)
  const digest = `/admin/regions/${w.regionId}/digest`
  const member = await signedIn(ctx.app, db, 'partner', { partnerIds: [w.partners[0]!] })
  const memberPage = await member.get(`/admin/regions/${w.regionId}/partners/${w.partners[0]}/digest`)
  t.equal((await member.post(`${digest}/feed`, { _csrf: csrfFrom(memberPage.body) })).statusCode, 403, 'a partner member: not the region’s feed')
  t.equal((await db.selectFrom('digest_feed_links').selectAll().execute()).length, 0, 'nothing stored')
  const bridge = await signedIn(ctx.app, db, 'bridge', { regionIds: [w.regionId] })
  const made = await bridge.post(`${digest}/feed`, { _csrf: csrfFrom((await bridge.get(digest)).body) })
  t.equal(made.statusCode, 200)
  const token = /\/digest\/feed\/([\w-]{43})<\/span>/.exec(made.body)![1]!
  const feed = await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}?lang=en` })
  t.equal(feed.statusCode, 200)
  const atom = children(xml2js(feed.body) as Element, 'feed')[0]
  t.equal(text(children(atom, 'title')[0]), 'Monthly digest Regio Planning')
  const september = text(children(children(atom, 'entry')[2], 'content')[0])
  const all = w.answers.filter((a) => brusselsDayOf(a.createdAt).startsWith('2026-09'))
  t.match(september, `answers in the region: <b>${publishedOf(all)}</b>`, 'September: the region’s published answers')
  // The account is disabled: its links stop working.
  await db.updateTable('users').set({ disabled_at: now.toISOString() }).where('role', '=', 'bridge').execute()
  t.equal((await ctx.app.inject({ method: 'GET', url: `/digest/feed/${token}` })).statusCode, 404, 'a disabled maker: 404')
})
