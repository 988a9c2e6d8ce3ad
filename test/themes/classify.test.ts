import t from 'tap'
import { classify, compileThemes, fold, storeTextThemes } from '../../src/answers/index.ts'
import { textTerms } from '../../src/themes/text-terms.ts'
import { testDatabase } from '../helpers.ts'
import { buildWorld, storeAnswer } from '../dashboard/world.ts'

const themes = [
  { id: 1, keywords: JSON.stringify({ nl: ['fiets*', 'eerste hulp'], fr: ['vélo'] }) },
  { id: 2, keywords: JSON.stringify({ nl: ['naaien', 'naai*'], en: ['sewing'] }) },
  { id: 3, keywords: JSON.stringify({ nl: ['computer'], en: ['computer*'] }) },
  { id: 4, keywords: 'not json' },
]
const matcher = compileThemes(themes)

t.test('free text is matched to themes, explainably', async (t) => {
  t.same(classify('Ik wil mijn FIETSHERSTELLING leren', matcher), [{ themeId: 1, matched: 'fietsherstelling' }], 'prefix match inside a Dutch compound, any case')
  t.same(classify('Réparer mon velo', matcher), [{ themeId: 1, matched: 'velo' }], 'accents are folded on both sides')
  t.same(classify('un vélo', matcher), [{ themeId: 1, matched: 'vélo' }], 'the word as written explains the match')
  t.same(classify('cursus Eerste  Hulp', matcher), [{ themeId: 1, matched: 'eerste hulp' }], 'a keyword of two words matches them in a row')
  t.same(classify('hulp eerste', matcher), [], 'not in another order')
  t.same(
    classify('naaien en computers', matcher).sort((a, b) => a.themeId - b.themeId),
    [
      { themeId: 2, matched: 'naaien' },
      { themeId: 3, matched: 'computers' },
    ],
    'several themes, each once',
  )
  t.same(classify('fietsen, fietsen en nog eens fietsen', matcher), [{ themeId: 1, matched: 'fietsen' }], 'a theme once, with its first match')
  t.same(classify('Ik wil iets anders', matcher), [], 'no match, no theme')
  t.same(classify('自転車 fietsen', matcher), [{ themeId: 1, matched: 'fietsen' }], 'words found by Intl.Segmenter in any script')
})

t.test('word statistics skip stopwords, digits and addresses but keep words such as computer and work', async (t) => {
  t.equal(fold('Éénmaal CAFÉ'), 'eenmaal cafe')
  const terms = textTerms('Ik wil leren werken met de computer en work, mail jan@example.be of 0470 12 34 56')
  t.ok(terms.words.includes('computer'))
  t.ok(terms.words.includes('work'))
  t.ok(terms.words.includes('werken'))
  t.notOk(terms.words.some((word) => ['ik', 'de', 'met', 'en', 'of'].includes(word)), 'Dutch stopwords are gone')
  t.notOk(terms.words.some((word) => /\d|@|jan|example/.test(word)), 'nothing of the e-mail address or the phone number')
  t.ok(terms.phrases.includes('computer en') === false, 'phrases only of two content words side by side')
  t.same(textTerms('eerste hulp cursus').phrases, ['eerste hulp', 'hulp cursus'])
})

t.test('word statistics mask contact details the way every display does, disguised addresses too', async (t) => {
  const terms = textTerms('Mail me op an.peeters (at) telenet (dot) be of bel 0470/12.34.56 of +32 11 22 33 44 voor fietsherstel')
  t.same(terms.words, ['mail', 'bel', 'fietsherstel'], 'no part of the address or the numbers, and no mark')
  t.notOk(terms.phrases.some((phrase) => /peeters|telenet/.test(phrase)))
})

t.test('text themes are stored with the matched word; chosen themes stay as they are', async (t) => {
  const database = await testDatabase(t)
  const world = await buildWorld(database.db)
  const id = await storeAnswer(database.db, world, {
    poster: world.posters[0]!,
    createdAt: '2026-11-02T10:00:00.000Z',
    triedNew: 'yes',
    step2: { themeIds: [world.themes[0]!.id] },
  })
  await storeTextThemes(database.db, id, [
    { themeId: world.themes[0]!.id, matched: 'nederlands' },
    { themeId: world.themes[2]!.id, matched: 'computer' },
  ])
  const rows = await database.db.selectFrom('response_themes').selectAll().where('response_id', '=', id).orderBy('theme_id').execute()
  t.same(
    rows.map((row) => [row.theme_id, row.source, row.matched]),
    [
      [world.themes[0]!.id, 'chosen', null],
      [world.themes[2]!.id, 'text', 'computer'],
    ],
  )
  await storeTextThemes(database.db, id, [])
  const after = await database.db.selectFrom('response_themes').select('source').where('response_id', '=', id).execute()
  t.same(after.map((row) => row.source), ['chosen'], 'a new classification replaces the old text matches only')
})
