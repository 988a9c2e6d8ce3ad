import t from 'tap'
import { loadDashboard } from '../../src/dashboard/dashboard.ts'
import { testDatabase } from '../helpers.ts'
import { localDayOf as localDay, makeAnswers, publishedCount, type RawAnswer, storeDataset, today } from './dataset.ts'
import { buildWorld } from './world.ts'

// Computed here without the code under test: the local day with a fresh formatter, every
// published count from the true count and the record keys with publish() (dataset.ts), a
// share from two published counts, the z-score from its textbook formula.

const month = { kind: 'month', year: 2026, month: 11 } as const
// Today is 2026-11-27: November counts up to the 26th; the period before is all of October.
const inPeriod = (a: RawAnswer) => localDay(a.createdAt) >= '2026-11-01' && localDay(a.createdAt) <= '2026-11-26'
const inPrevious = (a: RawAnswer) => localDay(a.createdAt) >= '2026-10-01' && localDay(a.createdAt) <= '2026-10-31'
const percent = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.max(0, Math.round((100 * part) / whole))) / 100 : null)

t.test('the dashboard publishes the counts, weekly series, ranking and emerging themes of a known data set', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const answers = makeAnswers()
  await storeDataset(db, world, answers)
  t.ok(answers.some((a) => localDay(a.createdAt) === today), 'the data set has answers stored today')

  const model = (await loadDashboard(db, { regionId: world.regionId }, {}, month, today))!
  t.same(model.period, { from: '2026-11-01', to: '2026-11-26' }, 'up to and including yesterday')
  t.same(model.previous, { from: '2026-10-01', to: '2026-10-31' }, 'the period before is the previous month')
  const published = (pick: (a: RawAnswer) => boolean) => publishedCount(answers, (a) => inPeriod(a) && pick(a))
  const all = published(() => true)
  t.equal(model.headline.responses.value, all, 'responses in the period, published')
  // Some cells of this data set must be moved by their cell key, or the test could not tell published from true counts.
  const moved = world.locations.filter((id) => {
    const pick = (a: RawAnswer) => inPeriod(a) && world.posters[a.posterIndex]!.locationId === id
    return publishedCount(answers, pick) !== answers.filter(pick).length
  })
  t.ok(moved.length > 0, 'at least one location’s published count differs from its true count')
  t.equal(model.headline.triedNewShare, percent(published((a) => a.triedNew === 'yes'), all), 'share from two published counts')
  const faces = [1, 2, 3, 4, 5].map((face) => published((a) => a.liked === face))
  t.equal(model.headline.likedAverage, faces.reduce((s, n, i) => s + (i + 1) * n, 0) / faces.reduce((s, n) => s + n, 0), 'average from the published faces')

  // Whole ISO weeks inside November 1–26: W45 (2–8), W46, W47 (16–22); W48 (23–29) is cut by yesterday and is not a whole week.
  const week = (from: string, to: string) => published((a) => localDay(a.createdAt) >= from && localDay(a.createdAt) <= to)
  t.same(
    model.weeks.map((w) => [w.week, w.cell.value]),
    [
      ['2026-W45', week('2026-11-02', '2026-11-08')],
      ['2026-W46', week('2026-11-09', '2026-11-15')],
      ['2026-W47', week('2026-11-16', '2026-11-22')],
    ],
    'published answers per whole ISO week',
  )

  const slugOf = new Map(world.themes.map((theme) => [theme.id, theme.slug]))
  const themeCells = ['digitaal', 'talen', 'koken-voeding']
    .map((slug) => [slug, published((a) => a.themeSlugs.includes(slug))] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
  t.same(
    model.themes.map((theme) => [slugOf.get(theme.themeId), theme.cell.value]),
    themeCells,
    'themes ranked by published count',
  )

  const z = (c1: number, n1: number, c0: number, n0: number) => {
    const p = (c1 + c0) / (n1 + n0)
    return (c1 / n1 - c0 / n0) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
  }
  const before = (pick: (a: RawAnswer) => boolean) => publishedCount(answers, (a) => inPrevious(a) && pick(a))
  const expectedEmerging = ['digitaal', 'talen', 'koken-voeding'].filter((slug) => {
    const c1 = published((a) => a.themeSlugs.includes(slug))
    return c1 >= 5 && z(c1, all, before((a) => a.themeSlugs.includes(slug)), before(() => true)) >= 1.96
  })
  t.ok(expectedEmerging.includes('digitaal'), 'the data set makes digitaal rise')
  t.same(
    model.emerging.map((row) => slugOf.get(row.themeId)),
    expectedEmerging,
    'exactly the themes whose rise is significant in published counts are flagged',
  )
  const digital = model.emerging.find((row) => slugOf.get(row.themeId) === 'digitaal')!
  t.equal(digital.current.value, published((a) => a.themeSlugs.includes('digitaal')))
  t.equal(digital.previous.value, before((a) => a.themeSlugs.includes('digitaal')))
  t.equal(digital.previousTotal.value, before(() => true))

  const byLocation = model.breakdowns.find((b) => b.key === 'location')!
  for (const row of byLocation.rows) {
    t.equal(row.cell.value, published((a) => String(world.posters[a.posterIndex]!.locationId) === row.key), `location ${row.key}`)
  }
  t.equal(byLocation.total.value, all, 'a breakdown’s total is the published total, not the sum of its rows')
  const byAge = model.breakdowns.find((b) => b.key === 'age_band')!
  t.equal(byAge.rows.find((row) => row.key === '')!.cell.value, published((a) => a.ageBand === null), 'answers without an age band')
  const detail = model.ageByLocation
  detail.rows.forEach((row) => {
    detail.columns.forEach((band, index) => {
      const expected = published((a) => String(world.posters[a.posterIndex]!.locationId) === String(row.locationId) && (a.ageBand ?? '') === band)
      t.equal(row.cells[index]!.value, expected, `age band ${band || 'none'} at location ${row.locationId}`)
    })
  })

  t.ok(model.text.words.some((word) => word.term === 'computer'), '"computer" is among the words people use (not a stopword)')
  t.ok(model.text.words.every((word) => word.count >= 5), 'every word listed has a published count of at least k')
  t.equal(model.text.words.find((word) => word.term === 'computer')!.count, published((a) => (a.freeText ?? '').toLowerCase().includes('computer')), 'a word’s count is published too')
  t.notOk(model.text.words.some((word) => ['de', 'met', 'en', 'voor'].includes(word.term)), 'no Dutch stopwords')

  // A quarter to date reads months from the month rollups and loose days from the day rollups: the published figures follow the true ones.
  const quarter = (await loadDashboard(db, { regionId: world.regionId }, {}, { kind: 'qtd', year: 2026, quarter: 4 }, today))!
  t.same(quarter.period, { from: '2026-10-01', to: '2026-11-26' })
  const inQuarter = (a: RawAnswer) => localDay(a.createdAt) >= '2026-10-01' && localDay(a.createdAt) <= '2026-11-26'
  t.equal(quarter.headline.responses.value, publishedCount(answers, inQuarter), 'responses over months and loose days')
  for (const row of quarter.breakdowns.find((b) => b.key === 'age_band')!.rows) {
    t.equal(row.cell.value, publishedCount(answers, (a) => inQuarter(a) && (a.ageBand ?? '') === row.key), `age band "${row.key}" over the quarter`)
  }

  // A filter narrows every figure to the slice.
  const adults = (await loadDashboard(db, { regionId: world.regionId }, { audience: 'adults' }, month, today))!
  t.equal(adults.headline.responses.value, published((a) => a.posterIndex === 3), 'audience filter: only the adults activity')
  const band = (await loadDashboard(db, { regionId: world.regionId }, { ageBand: '25_44' }, month, today))!
  t.equal(band.headline.responses.value, published((a) => a.ageBand === '25_44'), 'age band filter')
  t.equal(
    band.themes.find((theme) => slugOf.get(theme.themeId) === 'talen')?.cell.value ?? 0,
    published((a) => a.ageBand === '25_44' && a.themeSlugs.includes('talen')),
    'age band filter applies to themes too',
  )
})

t.test('a partner sees only its own posters’ numbers', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db, { k: 3 })
  const answers = makeAnswers(5)
  await storeDataset(db, world, answers)
  const ofB = (a: RawAnswer) => inPeriod(a) && world.posters[a.posterIndex]!.partnerId === world.partners.b

  const model = (await loadDashboard(db, { regionId: world.regionId, partnerId: world.partners.b }, {}, month, today))!
  t.equal(model.headline.responses.value, publishedCount(answers, ofB), 'headline counts only partner B')
  t.same(model.directory.partners.map((p) => p.id), [world.partners.b], 'only its own partner in the filters')
  t.same(model.directory.activities.map((a) => a.partnerId), [world.partners.b], 'only its own activities')
  t.same(model.directory.locations.map((l) => l.id), [world.locations[2]], 'only the locations of its posters')
  for (const theme of model.themes) {
    const slug = world.themes.find((x) => x.id === theme.themeId)!.slug
    t.equal(theme.cell.value, publishedCount(answers, (a) => ofB(a) && a.themeSlugs.includes(slug)), `theme ${slug} only from its posters`)
  }
  t.equal(model.text.currentTexts, publishedCount(answers, (a) => ofB(a) && a.freeText !== null), 'words only from its posters’ texts')
  // Even asking for the other partner inside a partner scope yields only its own rows (none).
  const sneaky = (await loadDashboard(db, { regionId: world.regionId, partnerId: world.partners.b }, { partnerId: world.partners.a }, month, today))!
  t.equal(sneaky.headline.responses.value, 0, 'a filter cannot widen the scope')
})
