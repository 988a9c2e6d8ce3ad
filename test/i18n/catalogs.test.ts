import t from 'tap'
import { defaultLanguage, fromAcceptLanguage, languageCodes, languages, pickLanguage, translator, type Language, type MessageKey, type CitizenKey } from '../../src/i18n/i18n.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'

const reference = languages[defaultLanguage].catalog
const referenceKeys = Object.keys(reference) as CitizenKey[]
const translated = languageCodes.filter((code) => code !== defaultLanguage)

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort()
}

/** The text a reader sees once placeholders, digits and punctuation are taken away. */
function words(text: string): string {
  return text.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '')
}

/**
 * Values that may read exactly as the Dutch: the product name, and words that are the same
 * in that language (English writes "{activity} in {location}" too; "Contact" is also French).
 * Anything else equal to the Dutch is a string someone forgot to translate.
 */
const sameAsDutch: Partial<Record<Language, MessageKey[]>> = {
  en: ['step1.where', 'thanks.contact'],
  fr: ['thanks.contact'],
}
const alwaysSame: MessageKey[] = ['app.name']

/** The script each catalog is written in, so that a catalog cannot sit under the wrong code. */
const scripts: Record<Language, RegExp> = {
  nl: /\p{Script=Latin}/u,
  fr: /\p{Script=Latin}/u,
  en: /\p{Script=Latin}/u,
  ar: /\p{Script=Arabic}/u,
  tr: /\p{Script=Latin}/u,
  pl: /\p{Script=Latin}/u,
  ro: /\p{Script=Latin}/u,
  uk: /\p{Script=Cyrillic}/u,
  ti: /\p{Script=Ethiopic}/u,
}

t.test('the nine languages of issue 5, in switcher order, each named in its own script', async (t) => {
  t.same(languageCodes, ['nl', 'fr', 'en', 'ar', 'tr', 'pl', 'ro', 'uk', 'ti'])
  for (const code of languageCodes) {
    const { name, dir } = languages[code]
    t.match(name, scripts[code], `${code} is named in its own script`)
    t.equal(dir, code === 'ar' ? 'rtl' : 'ltr', `${code} direction`)
  }
})

t.test('every catalog has exactly the Dutch keys, in the same order', async (t) => {
  for (const code of translated) {
    t.same(Object.keys(languages[code].catalog), referenceKeys, code)
  }
})

t.test('every value is filled in, keeps the Dutch placeholders and is translated', async (t) => {
  for (const code of translated) {
    const catalog: Record<string, unknown> = languages[code].catalog
    const allowed = new Set([...alwaysSame, ...(sameAsDutch[code] ?? [])])
    for (const key of referenceKeys) {
      const value = catalog[key]
      if (typeof value !== 'string' || value.trim() === '') {
        t.fail(`${code} ${key} is empty`)
        continue
      }
      t.same(placeholders(value), placeholders(reference[key]), `${code} ${key} has the placeholders of the Dutch`)
      if (!allowed.has(key) && words(reference[key]) !== '') {
        t.not(value, reference[key], `${code} ${key} is not the Dutch text`)
      }
      if (words(value) !== '' && key !== 'app.name') {
        t.match(value, scripts[code], `${code} ${key} is written in the ${code} script`)
      }
    }
  }
})

t.test('"Leervraag" stays the name in every language', async (t) => {
  for (const code of languageCodes) t.equal(languages[code].catalog['app.name'], 'Leervraag', code)
})

t.test('the age bands keep their numbers, the children’s bands too', async (t) => {
  const bands = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', 'under_8', '8_9', '10_11'] as const
  for (const code of translated) {
    for (const band of bands) {
      const key = `step2.age.${band}` as const
      const digits = (text: string) => text.match(/\d+/g) ?? []
      t.same(digits(languages[code].catalog[key]), digits(reference[key]), `${code} ${key}`)
    }
  }
})

t.test('a translated placeholder is filled in', async (t) => {
  t.equal(translator('uk')('step2.free_text.count', { count: 12, max: 280 }), '12 з 280 символів')
  t.equal(translator('ar')('step1.where', { activity: 'Repair Café', location: 'Gent' }), 'Repair Café في Gent')
})

t.test('the browser language reaches the new catalogs by its base tag', async (t) => {
  t.equal(fromAcceptLanguage('ar-MA,ar;q=0.9'), 'ar')
  t.equal(fromAcceptLanguage('uk-UA'), 'uk')
  t.equal(fromAcceptLanguage('ti-ER'), 'ti')
  t.equal(fromAcceptLanguage('tr-TR,tr;q=0.9,en;q=0.5'), 'tr')
  t.equal(fromAcceptLanguage('ro-RO'), 'ro')
  t.equal(fromAcceptLanguage('pl'), 'pl')
  t.equal(fromAcceptLanguage('de-DE,ti;q=0.3'), 'ti', 'an unsupported first choice falls through to a supported one')
  t.equal(pickLanguage({ acceptLanguage: 'ar-SY' }), 'ar')
})

t.test('step 1 in Arabic is right to left and the switcher offers all nine languages', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}?lang=ar` })
  t.equal(page.statusCode, 200)
  t.match(page.body, '<html lang="ar" dir="rtl">')
  t.match(page.body, languages.ar.catalog['step1.question'])
  for (const code of languageCodes) {
    t.match(page.body, `lang="${code}" hreflang="${code}"`, `the switcher links ${code}`)
    t.match(page.body, `>${languages[code].name}</a>`, `the switcher shows ${languages[code].name}`)
  }

  const tigrinya = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers: { 'accept-language': 'ti-ER' } })
  t.match(tigrinya.body, '<html lang="ti" dir="ltr">')
  t.match(tigrinya.body, languages.ti.catalog['step1.question'])
})

t.test('numbers in messages are written the reader’s way', async (t) => {
  const { translator } = await import('../../src/i18n/i18n.ts')
  t.equal(translator('nl')('step2.free_text.count', { count: 1234, max: 2800 }), '1.234 van 2.800 tekens')
  t.equal(translator('en')('step2.free_text.count', { count: 1234, max: 2800 }), '1,234 of 2,800 characters')
})
