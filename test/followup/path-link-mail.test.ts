import t from 'tap'
import { themeIds } from './world.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster } from '../helpers.ts'
import { smtpSink } from '../digest/smtp-servers.ts'

/**
 * The private path link by e-mail (issue 19): with SMTP_URL set and e-mail as the way to be
 * contacted, one message to that address with the link to the person's own path page, in
 * their language; none for a phone number or without a mail server; none that a failing mail
 * server could turn into a failed answer. The link is never written to the log.
 */

async function world(t: Parameters<typeof buildTestApp>[0], overrides: Record<string, string>) {
  const { app, database } = await buildTestApp(t, overrides)
  const fixture = await seedPoster(database)
  const themes = await themeIds(database.db, fixture.regionId)
  async function answer(lang: string, contactValue: string) {
    const { location } = await answerStepOne(app, fixture.code, { lang })
    return app.inject({
      method: 'POST',
      url: location,
      headers: formHeaders,
      payload: form({ lang, themes: [String(themes[0]!)], free_text: 'Ik wil leren naaien', contact_name: 'Fatima', contact_value: contactValue, contact_language: 'Nederlands', contact_moment: 'evening', contact_consent: 'yes' }),
    })
  }
  return { app, database, fixture, answer }
}

/** The decoded text of every MIME part of a message (base64 and quoted-printable, as nodemailer writes them). */
function decoded(raw: string): string {
  return raw
    .split(/\r?\n--[^\r\n]+/)
    .map((part) => {
      const [head = '', ...rest] = part.split(/\r?\n\r?\n/)
      const body = rest.join('\n\n')
      if (/content-transfer-encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      if (/content-transfer-encoding: quoted-printable/i.test(head)) {
        const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => `%${hex}`)
        return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/g, '%25'))
      }
      return body
    })
    .join('\n')
}

async function until(condition: () => boolean, ms = 10_000) {
  const end = Date.now() + ms
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20))
  return condition()
}

t.test('e-mail as the way to be contacted: one message with the path link, in the person’s language; the link works', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, { SMTP_URL: sink.url, SMTP_FROM: 'Leervraag <noreply@leervraag.example.be>' })
  const sent = await w.answer('fr', 'Fatima@Voorbeeld.be')
  t.equal(sent.statusCode, 303, 'the answer is stored as always')
  const shown = new URL(String(sent.headers.location), 'http://x').searchParams.get('w')
  t.ok(await until(() => sink.received.length === 1), 'one message')
  const message = sink.received[0]!
  t.same(message.to, ['fatima@voorbeeld.be'], 'to the address they gave, as stored')
  t.equal(message.from, 'noreply@leervraag.example.be')
  const raw = decoded(message.raw)
  t.match(message.raw, /^Subject: /m, 'a subject')
  t.match(raw, 'Ce lien montre ta question', 'in French, the language they answered in')
  const link = /https:\/\/leervraag\.example\.be\/withdraw\?w=([\w-]{43})&(?:amp;)?lang=fr/.exec(raw)
  t.ok(link, 'the link to their own path page, in French')
  t.equal(link?.[1], shown, 'the same link as the thank-you page')
  const page = await w.app.inject({ method: 'GET', url: `/withdraw?w=${link?.[1]}&lang=fr` })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Ik wil leren naaien', 'it opens their own path')

  // A phone number: no message.
  t.equal((await w.answer('nl', '0474 12 34 56')).statusCode, 303)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(sink.received.length, 1, 'no e-mail for a phone number')
})

t.test('without a mail server nothing is sent; a mail server that refuses changes nothing for the answer', async (t) => {
  const none = await world(t, {})
  t.equal((await none.answer('nl', 'jan@voorbeeld.be')).statusCode, 303)
  const refusing = await smtpSink(t, { refuseRecipients: true })
  const w = await world(t, { SMTP_URL: refusing.url })
  const sent = await w.answer('nl', 'jan@voorbeeld.be')
  t.equal(sent.statusCode, 303, 'the person still sees thank you')
  t.ok(String(sent.headers.location).includes('w='), 'with their link on the thank-you page')
  const stored = await w.database.db.selectFrom('contact_requests').select(['contact_value', 'status']).execute()
  t.same(stored, [{ contact_value: 'jan@voorbeeld.be', status: 'new' }], 'the request is stored')
})
