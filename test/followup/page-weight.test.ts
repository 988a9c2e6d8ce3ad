import { gzipSync } from 'node:zlib'
import t from 'tap'
import { languageCodes } from '../../src/i18n/i18n.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster } from '../helpers.ts'

/**
 * The follow-up's heaviest citizen pages still fit the first round trip (≤ 14 KB raw,
 * ≤ 5 KB gzipped, as test/capture/page-weight.test.ts): step 2 with every message the
 * contact question can add on top of the form's own (the inputs as long as their
 * maxlength lets a browser send), and the thank-you page with the withdrawal link and
 * four long offers.
 */
const rawLimit = 14 * 1024
const gzipLimit = 5 * 1024

t.test('step 2 with every contact message, and the thank-you page with offers, in every language', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  await ctx.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).execute()
  const ids = (await ctx.database.db.selectFrom('themes').select('id').where('region_id', '=', fixture.regionId).orderBy('position').execute()).map((r) => r.id)
  for (let i = 0; i < 4; i++) {
    await createOffer(ctx.database.db, fixture.regionId, {
      title: `Naaiatelier voor beginners en gevorderden, deel ${i + 1}`,
      provider: 'Vormingplus Limburg en de bibliotheek van Tongeren',
      place: 'Bibliotheek Tongeren, Veemarkt 1, 3700 Tongeren (eerste verdieping)',
      schedule: 'Elke dinsdag van 19 tot 21 uur, van september tot juni',
      cost: '5 euro per keer, gratis met UiTPAS',
      languages: ['nl', 'fr', 'en', 'ar', 'tr'],
      textLanguage: 'nl',
      audience: 'all',
      link: 'https://www.vormingplus.be/limburg/aanbod/naaiatelier-voor-beginners',
      contact: null,
      themeIds: [ids[0]!],
      archived: false,
    })
  }
  const report: string[] = []
  for (const lang of languageCodes) {
    // A poster per language: the per-poster answer rate limit would otherwise step in.
    const poster = await seedPoster(ctx.database, { regionId: fixture.regionId })
    const { location } = await answerStepOne(ctx.app, poster.code, { lang })
    const contactErrors = await ctx.app.inject({
      method: 'POST',
      url: location,
      headers: formHeaders,
      payload: form({ lang, themes: [String(ids[0])], free_text: 'Ik wil leren naaien en een broek herstellen.', contact_name: '', contact_value: '12' }),
    })
    t.equal((contactErrors.body.match(/<li><a href="#f-/g) ?? []).length, 3, `${lang}: three contact messages in the summary`)
    const errors = await ctx.app.inject({
      method: 'POST',
      url: location,
      headers: formHeaders,
      payload: form({ lang, themes: ids.map(String), free_text: 'x'.repeat(281), contact_name: '', contact_value: '12' }),
    })
    t.equal(errors.statusCode, 422)
    t.equal((errors.body.match(/<li><a href="#f-/g) ?? []).length, 5, `${lang}: five messages in the summary`)
    const sent = await ctx.app.inject({
      method: 'POST',
      url: location,
      headers: formHeaders,
      payload: form({ lang, themes: [String(ids[0])], contact_name: 'An', contact_value: '0474 12 34 56', contact_consent: 'yes' }),
    })
    const thanks = await ctx.app.inject({ method: 'GET', url: String(sent.headers.location) })
    t.equal((thanks.body.match(/class="card offer"/g) ?? []).length, 4)
    t.match(thanks.body, '/withdraw?w=')
    const pages = [['step2 contact messages', contactErrors.body], ['step2 all 5 messages', errors.body], ['thanks with offers', thanks.body]] as const
    for (const [name, body] of pages) {
      const raw = Buffer.byteLength(body)
      const gzipped = gzipSync(body).length
      report.push(`${lang.padEnd(3)} ${name.padEnd(22)} ${String(raw).padStart(6)} B ${String(gzipped).padStart(5)} B gz`)
      t.ok(raw <= rawLimit, `${lang} ${name}: ${raw} bytes`)
      t.ok(gzipped <= gzipLimit, `${lang} ${name}: ${gzipped} bytes gzipped`)
    }
  }
  t.comment(`page weights:\n${report.join('\n')}`)
})
