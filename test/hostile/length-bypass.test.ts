import { readFileSync } from 'node:fs'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, form, formHeaders, seedPoster, ticketFrom, type Fixture } from '../helpers.ts'

/**
 * Issue 13, finding 7: the 280-character limit of the free text counted graphemes only, so
 * one letter with 2,400 combining accents was "one character" and 4.8 KB were stored.
 * Through HTTP only: a phone answers step 1, then sends the crafted step 2.
 */

const languages = ['nl', 'fr', 'en', 'ar', 'tr', 'pl', 'ro', 'uk', 'ti'] as const
const catalog = (lang: string) => JSON.parse(readFileSync(new URL(`../../src/i18n/messages/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>
let phone = 0
/** Each answer from its own phone: the per-client limits are tested elsewhere. */
async function answerStepOne(app: FastifyInstance, fixture: Fixture) {
  const headers = { 'user-agent': `LengthPhone/${++phone}` }
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers })
  const res = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: { ...formHeaders, ...headers }, payload: form({ tried_new: 'yes', ticket: ticketFrom(page.body) }) })
  if (res.statusCode !== 303) throw new Error(`step 1 failed: ${res.statusCode}`)
  return { location: String(res.headers.location), headers: { ...formHeaders, ...headers } }
}
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')

t.test('finding 7: stacked combining marks no longer slip past the length limit; the refusal is in the person’s language', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const stored = async () => (await ctx.database.db.selectFrom('responses').select(['free_text']).where('free_text', 'is not', null).execute()).length

  const attacks = {
    'one letter with 2,400 accents': `a${'\u0301'.repeat(2400)}`,
    'one letter with 17 marks (a zalgo cluster)': `Ik wil leren z${'\u0336'.repeat(17)}wemmen`,
    '280 letters with 5 accents each': `e${'\u0300\u0301\u0302\u0303\u0304'}`.repeat(280),
    '200 letters with 12 accents each': `o${'\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030A\u030B'}`.repeat(200),
  }
  for (const [what, text] of Object.entries(attacks)) {
    // Every language for the first attack; Dutch and Arabic for the others.
    for (const lang of what === 'one letter with 2,400 accents' ? languages : (['nl', 'ar'] as const)) {
      const { location, headers } = await answerStepOne(ctx.app, fixture)
      const res = await ctx.app.inject({ method: 'POST', url: location, headers, payload: form({ liked: '3', free_text: text, lang }) })
      t.equal(res.statusCode, 422, `${what} (${lang}): refused`)
      const message = catalog(lang)['error.free_text.too_complex']
      t.ok(message && res.body.includes(escapeHtml(message)), `${what} (${lang}): the message is in the person’s language`)
    }
  }
  t.equal(await stored(), 0, 'none of it was stored')

  // What people do write still fits: flags and skin tones (several code points per
  // character), Arabic with its vowel marks, Tigrinya, and 280 plain letters.
  const fine = {
    '280 flags': '🇧🇪'.repeat(280),
    '280 thumbs with a skin tone': '👍🏽'.repeat(280),
    'Arabic with shadda and vowel marks': 'شُكْرًا جَزِيلًا عَلَى الدَّرْسِ '.repeat(8).trim(),
    Tigrinya: 'ክትምህሮ ትደሊ ነገር ጽሓፍ። '.repeat(14).trim(),
    '280 letters': 'ä'.repeat(280),
    'a family emoji': 'Met mijn gezin 👨🏽‍👩🏽‍👧🏽‍👦🏽 naar de bib',
  }
  for (const [what, text] of Object.entries(fine)) {
    const { location, headers } = await answerStepOne(ctx.app, fixture)
    const res = await ctx.app.inject({ method: 'POST', url: location, headers, payload: form({ liked: '3', free_text: text }) })
    t.equal(res.statusCode, 303, `${what}: taken`)
  }
  t.equal(await stored(), Object.keys(fine).length)
})

t.test('finding 7: a contact name cannot hide a long run of marks in one character either', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const { location, headers } = await answerStepOne(ctx.app, fixture)
  const res = await ctx.app.inject({
    method: 'POST',
    url: location,
    headers,
    payload: form({ contact_name: `A${'\u0301'.repeat(60)}n`, contact_value: 'iemand@example.be', contact_consent: 'yes' }),
  })
  t.equal(res.statusCode, 422, 'refused')
  t.equal((await ctx.database.db.selectFrom('contact_requests').selectAll().execute()).length, 0, 'no contact request stored')
})
