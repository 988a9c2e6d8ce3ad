import t from 'tap'
import { languageCodes, type Language } from '../../src/i18n/i18n.ts'
import defaults from '../../src/themes/default-themes.json' with { type: 'json' }
import childDefaults from '../../src/themes/default-child-themes.json' with { type: 'json' }
import { themeLabel } from '../../src/themes/queries.ts'
import { answerStepOne, buildTestApp, seedPoster } from '../helpers.ts'

interface DefaultTheme {
  slug: string
  label: Record<string, string>
  keywords: Record<string, string[]>
}
const themes: DefaultTheme[] = defaults.themes
const childThemes: DefaultTheme[] = childDefaults.themes

/**
 * The two lists that ship: the general one, and the children's (offered only on children's
 * posters, and matched only against a child's text, so a keyword may be in both lists but
 * not twice in one). Each list is held to the same rules.
 */
const lists = [
  { name: 'general', themes, about: defaults.about, size: 16 },
  { name: 'children', themes: childThemes, about: childDefaults.about, size: 8 },
] as const

/** The languages whose free text the default keywords must be able to classify (Tigrinya keywords are optional). */
const keywordLanguages: Language[] = ['nl', 'fr', 'en', 'ar', 'tr', 'pl', 'ro', 'uk']

/**
 * Labels that may read exactly as the Dutch because the word is the same in that language.
 * None today: every label is a phrase ("Sport en bewegen" is "Sport i ruch" in Polish). A
 * label equal to the Dutch anywhere else is a label someone forgot to translate.
 */
const loanwords: Partial<Record<Language, string[]>> = {}

/** The script a reader of each language expects; a Latin "i" inside a Ukrainian word never matches typed text. */
const scripts: Record<Language, RegExp> = {
  nl: /^\p{Script=Latin}+$/u,
  fr: /^\p{Script=Latin}+$/u,
  en: /^\p{Script=Latin}+$/u,
  ar: /^\p{Script=Arabic}+$/u,
  tr: /^\p{Script=Latin}+$/u,
  pl: /^\p{Script=Latin}+$/u,
  ro: /^\p{Script=Latin}+$/u,
  uk: /^\p{Script=Cyrillic}+$/u,
  ti: /^\p{Script=Ethiopic}+$/u,
}

/** The letters of a text, word by word (digits, punctuation, apostrophes and the * left out). */
function words(text: string): string[] {
  return text.split(/[^\p{L}\p{M}]+/u).filter((word) => word !== '')
}

/**
 * A checkbox label on a phone: the longest label the list shipped with (29 characters, in
 * English and French) plus a little room. Longer labels wrap to a third line.
 */
const maxLabelLength = 32

for (const { name, themes, about, size } of lists) {
t.test(`${name}: every default theme has a short label in each of the nine languages`, async (t) => {
  t.same(languageCodes, ['nl', 'fr', 'en', 'ar', 'tr', 'pl', 'ro', 'uk', 'ti'], 'the languages this test knows')
  t.equal(themes.length, size)
  for (const theme of themes) {
    t.same(Object.keys(theme.label), languageCodes, `${theme.slug} has a label in every language, in switcher order`)
    for (const code of languageCodes) {
      const label = theme.label[code]
      if (typeof label !== 'string' || label.trim() === '') {
        t.fail(`${theme.slug} has no ${code} label`)
        continue
      }
      t.equal(label, label.trim(), `${theme.slug} ${code} has no stray spaces`)
      t.ok(label.length <= maxLabelLength, `${theme.slug} ${code} "${label}" fits a checkbox (${label.length} characters)`)
      if (code !== 'nl' && !(loanwords[code] ?? []).includes(label)) {
        t.not(label, theme.label.nl, `${theme.slug} ${code} is translated, not the Dutch`)
      }
      for (const word of words(label)) t.match(word, scripts[code], `${theme.slug} ${code} "${word}" is in the ${code} script`)
    }
  }
})

t.test(`${name}: the same label does not name two themes in one language`, async (t) => {
  for (const code of languageCodes) {
    const labels = themes.map((theme) => theme.label[code]?.toLocaleLowerCase(code))
    t.equal(new Set(labels).size, labels.length, code)
  }
})

t.test(`${name}: slugs are unique`, async (t) => {
  const slugs = themes.map((theme) => theme.slug)
  t.equal(new Set(slugs).size, slugs.length)
  for (const slug of slugs) t.match(slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, slug)
})

t.test(`${name}: keywords are lower-case words that point to one theme each`, async (t) => {
  const seen = new Map<string, string>()
  for (const theme of themes) {
    for (const [code, keywords] of Object.entries(theme.keywords)) {
      if (!(languageCodes as string[]).includes(code)) {
        t.fail(`${theme.slug} has keywords in ${code}, which is not a language of the form`)
        continue
      }
      const language = code as Language
      t.ok(Array.isArray(keywords), `${theme.slug} ${code} keywords are a list`)
      t.equal(new Set(keywords).size, keywords.length, `${theme.slug} ${code} lists no keyword twice`)
      for (const keyword of keywords) {
        if (typeof keyword !== 'string' || keyword.trim() === '') {
          t.fail(`${theme.slug} ${code} has an empty keyword`)
          continue
        }
        t.equal(keyword, keyword.trim(), `${theme.slug} ${code} "${keyword}" has no stray spaces`)
        // Turkish lower-cases I to ı: the locale matters for "ingilizce".
        t.equal(keyword, keyword.toLocaleLowerCase(language), `${theme.slug} ${code} "${keyword}" is lower case`)
        t.notOk(/\*./.test(keyword) || keyword === '*', `${theme.slug} ${code} "${keyword}" has * only at the end of a word`)
        for (const word of words(keyword)) {
          // Brand names (youtube, tiktok, email) are typed in Latin letters in every language.
          if (/^[a-z]+$/.test(word)) continue
          t.match(word, scripts[language], `${theme.slug} ${code} "${word}" is in the ${code} script`)
        }
        // A keyword that names two themes cannot explain a classification ("matched: 'naaien'").
        const key = `${code}:${keyword}`
        const other = seen.get(key)
        if (other !== undefined) t.fail(`${code} "${keyword}" points to ${other} and ${theme.slug}`)
        seen.set(key, theme.slug)
      }
    }
    for (const code of keywordLanguages) {
      t.ok(((theme.keywords as Record<string, string[]>)[code]?.length ?? 0) >= 3, `${theme.slug} has at least three keywords in ${code}`)
    }
  }
})

t.test(`${name}: the file says which languages it covers`, async (t) => {
  for (const code of languageCodes) t.match(about, new RegExp(`\\b${code}\\b`), `"about" names ${code}`)
})
}

t.test('no slug is in both lists (a region holds both, and a slug is unique in a region)', async (t) => {
  const general = new Set(themes.map((theme) => theme.slug))
  for (const theme of childThemes) t.notOk(general.has(theme.slug), theme.slug)
})

const labelsOf = (labels: Record<string, string>) => ({ labels: JSON.stringify(labels) })

t.test('a missing label falls back: newcomer languages to English, then Dutch', async (t) => {
  const full = labelsOf({ nl: 'Fietsen herstellen', fr: 'Réparer des vélos', en: 'Fixing bikes', ar: 'تصليح الدراجات' })
  t.equal(themeLabel(full, 'ar'), 'تصليح الدراجات', 'the reader’s own language first')
  for (const code of ['tr', 'pl', 'ro', 'uk', 'ti']) t.equal(themeLabel(full, code), 'Fixing bikes', `${code} reads English before Dutch`)
  t.equal(themeLabel(full, 'fr'), 'Réparer des vélos')

  const dutchOnly = labelsOf({ nl: 'Fietsen herstellen' })
  for (const code of languageCodes) t.equal(themeLabel(dutchOnly, code), 'Fietsen herstellen', `${code} gets the Dutch when that is all there is`)

  const noEnglish = labelsOf({ nl: 'Fietsen herstellen', fr: 'Réparer des vélos' })
  t.equal(themeLabel(noEnglish, 'ar'), 'Fietsen herstellen', 'a newcomer gets the Dutch, not the French, when English is missing')
  t.equal(themeLabel(noEnglish, 'en'), 'Fietsen herstellen', 'an English reader gets the region’s Dutch')

  const noFrench = labelsOf({ nl: 'Fietsen herstellen', en: 'Fixing bikes' })
  t.equal(themeLabel(noFrench, 'fr'), 'Fietsen herstellen', 'a French reader gets the region’s Dutch before English')
  t.equal(themeLabel(labelsOf({ fr: 'Réparer des vélos', en: 'Fixing bikes' }), 'nl'), 'Fixing bikes', 'a theme without Dutch still shows')

  t.equal(themeLabel(labelsOf({ nl: 'Fietsen herstellen', en: 'Fixing bikes', uk: '  ' }), 'uk'), 'Fixing bikes', 'a blank label counts as missing')
  t.equal(themeLabel(labelsOf({ nl: ' Fietsen herstellen ' }), 'nl'), 'Fietsen herstellen', 'stray spaces are not shown')
  t.equal(themeLabel(labelsOf({ de: 'Fahrräder reparieren' }), 'pl'), 'Fahrräder reparieren', 'any label beats an empty checkbox')
  t.equal(themeLabel(labelsOf({}), 'nl'), '')
})

t.test('the citizen form shows the themes in the reader’s language, and English where a region wrote no translation', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await database.db
    .insertInto('themes')
    .values({
      region_id: fixture.regionId,
      slug: 'fietsherstel',
      icon: '🚲',
      labels: JSON.stringify({ nl: 'Fietsherstel', en: 'Bike repair' }),
      keywords: JSON.stringify({ nl: ['fiets*'] }),
      position: 99,
      created_at: new Date().toISOString(),
    })
    .execute()

  const pageIn = async (lang: Language) => {
    const { location } = await answerStepOne(app, fixture.code, { lang })
    const page = await app.inject({ method: 'GET', url: location })
    t.equal(page.statusCode, 200, `${lang} step 2`)
    t.match(page.body, `<html lang="${lang}"`, `${lang} page`)
    return page.body
  }

  for (const lang of ['ar', 'ti'] as const) {
    const body = await pageIn(lang)
    for (const theme of themes) t.match(body, `</span>${theme.label[lang]}</label>`, `${lang} reader sees ${theme.slug} in ${lang}`)
    t.notMatch(body, 'Digitale vaardigheden', `no Dutch default label in the ${lang} form`)
    t.match(body, '</span>Bike repair</label>', `the region’s own theme shows in English to a ${lang} reader`)
  }
  const french = await pageIn('fr')
  t.match(french, '</span>Compétences numériques</label>')
  t.match(french, '</span>Fietsherstel</label>', 'a French reader sees the region’s Dutch')
})
