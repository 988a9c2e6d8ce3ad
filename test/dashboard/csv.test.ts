import t from 'tap'
import { csvNumber } from '../../src/http/csv.ts'
import { csvInLanguage, csvLanguageOf, csvLanguages, csvMessageKeys } from '../../src/dashboard/csv-labels.ts'
import { translator } from '../../src/i18n/i18n.ts'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { dashboardPeople } from './people.ts'
import { buildWorld } from './world.ts'

t.test('the header, the sections and the key figures are in the export language; figures and names are not touched', async (t) => {
  const rows = [
    ['section', 'item', 'from', 'to', 'count', 'share_percent', 'previous_count'],
    ['headline', 'responses', '2026-10-31', '2026-11-27', csvNumber(12), '', ''],
    ['theme', 'responses', '2026-10-31', '2026-11-27', csvNumber(3), csvNumber(25, 1), ''],
    ['age_band_by_location', 'Bib / 18–24', '2026-10-31', '2026-11-27', '< 5', '', ''],
    ['new_kind', 'x', '', '', '', '', ''],
  ]
  t.same(csvInLanguage(rows, 'nl'), [
    ['Onderdeel', 'Omschrijving', 'Van', 'Tot en met', 'Aantal', 'Aandeel (%)', 'Aantal vorige periode'],
    ['Kerncijfers', 'Antwoorden', '2026-10-31', '2026-11-27', csvNumber(12), '', ''],
    ['Leerthema', 'responses', '2026-10-31', '2026-11-27', csvNumber(3), csvNumber(25, 1), ''],
    ['Leeftijd per locatie', 'Bib / 18–24', '2026-10-31', '2026-11-27', '< 5', '', ''],
    ['new_kind', 'x', '', '', '', '', ''],
  ], 'Dutch; a theme called "responses" stays its name; an unknown section keeps its code')
  t.same(csvInLanguage(rows, 'fr')[0], ['Rubrique', 'Élément', 'Du', 'Au (inclus)', 'Nombre', 'Part (%)', 'Nombre période précédente'])
  t.same(csvInLanguage(rows, 'fr')[1]!.slice(0, 2), ['Chiffres clés', 'Réponses'])
  t.same(csvInLanguage(rows, 'en')[0], ['Section', 'Item', 'From', 'To (inclusive)', 'Count', 'Share (%)', 'Count in the previous period'])
  t.same(csvInLanguage(rows, 'en')[3]![0], 'Age by location')
  for (const lang of csvLanguages) {
    const t2 = translator(lang)
    for (const key of csvMessageKeys) t.not(t2(key), key, `${lang}: ${key} is in the catalog`)
  }
  t.equal(csvLanguageOf('fr', 'nl'), 'fr', 'a chosen export language wins')
  t.equal(csvLanguageOf('ar', 'en'), 'en', "a language with no CSV words: the staff member's language")
  t.equal(csvLanguageOf(undefined, 'ar'), 'nl', 'and Dutch when that has none either')
})

/** The app with its clock pinned to the data set's last day, and its coordinator. */
async function exportApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  return { world, ...(await dashboardPeople(app, database.db, world)) }
}

const parse = (body: string) => body.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((line) => line.split(';'))

t.test('the CSV export speaks the staff member’s language, or the one asked for', async (t) => {
  const { world, coordinator } = await exportApp(t)
  const url = `/admin/dashboard/${world.regionId}/export.csv?period=2026-11`
  const dutch = parse((await coordinator.get(url)).body)
  t.same(dutch[0], ['Onderdeel', 'Omschrijving', 'Van', 'Tot en met', 'Aantal', 'Aandeel (%)', 'Aantal vorige periode'], 'Dutch by default')
  t.ok(dutch.some((row) => row[0] === 'Doelgroep' && row[1] === 'Kinderen'), 'audiences in Dutch')

  const french = await coordinator.get(`${url}&lang=fr`)
  t.equal(french.statusCode, 200)
  const fr = parse(french.body)
  t.same(fr[0], ['Rubrique', 'Élément', 'Du', 'Au (inclus)', 'Nombre', 'Part (%)', 'Nombre période précédente'])
  t.ok(fr.some((row) => row[0] === 'Chiffres clés' && row[1] === 'Réponses'))
  t.ok(fr.some((row) => row[0] === 'Public' && row[1] === 'Enfants'), 'audiences in French too')
  t.ok(fr.some((row) => row[0] === 'Thème d’apprentissage' && row[1] === 'Compétences numériques'), 'theme labels in French')
  t.same(fr.map((row) => row.slice(2)), dutch.map((row) => row.slice(2)).map((row, i) => (i === 0 ? fr[0]!.slice(2) : row)), 'the same figures, row for row')

  // The page in English (a remembered choice) exports in English.
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&lang=en`)
  t.match(page.body, `href="/admin/dashboard/${world.regionId}/export.csv?period=2026-11&amp;lang=en"`, 'the page links the CSV in its own language')
  t.match(page.body, /hreflang="fr">CSV in French</, 'and in French')
  const english = parse((await coordinator.get(url)).body)
  t.same(english[0], ['Section', 'Item', 'From', 'To (inclusive)', 'Count', 'Share (%)', 'Count in the previous period'])
  t.ok(english.some((row) => row[0] === 'Key figures' && row[1] === 'Tried something new'))

  const other = await coordinator.get(`${url}&lang=ar`)
  t.equal(other.statusCode, 200)
  t.equal(parse(other.body)[0]![0], 'Onderdeel', 'a language without CSV words: the staff pages’ fallback')
  const bad = await coordinator.get(`${url}&lang=${'x'.repeat(40)}`)
  t.equal(bad.statusCode, 400, 'an over-long language is refused')
})
