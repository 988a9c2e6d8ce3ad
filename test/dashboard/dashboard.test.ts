import t from 'tap'
import { loadDashboard } from '../../src/dashboard/dashboard.ts'
import { namedPeriod } from '../../src/dashboard/period.ts'
import { testDatabase } from '../helpers.ts'
import { makeAnswers, storeDataset, today } from './dataset.ts'
import { buildWorld } from './world.ts'

// Computed here without the code under test: the local day with a fresh formatter, the
// ISO week's Monday by hand, the z-score from its textbook formula.
const localDay = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
const mondayOf = (day: string) => {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7))
  return date.toISOString().slice(0, 10)
}

t.test('the dashboard shows the counts, weekly series, ranking and emerging themes of a known data set', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const answers = makeAnswers()
  await storeDataset(db, world, answers)

  const period = namedPeriod('4w', today)
  t.same(period, { from: '2026-10-31', to: '2026-11-27' })
  const model = (await loadDashboard(db, { regionId: world.regionId }, {}, period))!

  const current = answers.filter((a) => localDay(a.createdAt) >= '2026-10-31' && localDay(a.createdAt) <= '2026-11-27')
  const previous = answers.filter((a) => localDay(a.createdAt) >= '2026-10-03' && localDay(a.createdAt) <= '2026-10-30')
  t.equal(model.headline.responses.value, current.length, 'responses in the period')
  t.equal(model.headline.responses.state, 'shown')
  t.equal(model.headline.triedNewShare, current.filter((a) => a.triedNew === 'yes').length / current.length, 'share that tried something new')
  const liked = current.filter((a) => a.liked !== null)
  t.equal(model.headline.likedAverage, liked.reduce((s, a) => s + a.liked!, 0) / liked.length, 'average liking')

  const weekly = new Map<string, number>()
  for (const a of current) weekly.set(mondayOf(localDay(a.createdAt)), (weekly.get(mondayOf(localDay(a.createdAt))) ?? 0) + 1)
  t.same(
    model.weeks.map((w) => [w.monday, w.cell.value]),
    [...weekly].sort(),
    'responses per ISO week',
  )
  t.equal(model.weeks[0]!.week, '2026-W44')

  const themeCount = (list: typeof answers, slug: string) => list.filter((a) => a.themeSlugs.includes(slug)).length
  const slugOf = new Map(world.themes.map((theme) => [theme.id, theme.slug]))
  const expectedRanking = ['digitaal', 'talen', 'koken-voeding']
    .map((slug) => [slug, themeCount(current, slug)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
  t.same(
    model.themes.map((theme) => [slugOf.get(theme.themeId), theme.cell.value]),
    expectedRanking,
    'themes ranked by answers',
  )

  const z = (c1: number, n1: number, c0: number, n0: number) => {
    const p = (c1 + c0) / (n1 + n0)
    return (c1 / n1 - c0 / n0) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
  }
  const expectedEmerging = ['digitaal', 'talen', 'koken-voeding'].filter((slug) => {
    const c1 = themeCount(current, slug)
    return c1 >= 5 && z(c1, current.length, themeCount(previous, slug), previous.length) >= 1.96
  })
  t.ok(expectedEmerging.includes('digitaal'), 'the data set makes digitaal rise')
  t.same(
    model.emerging.map((row) => slugOf.get(row.themeId)),
    expectedEmerging,
    'exactly the themes whose rise is significant are flagged',
  )
  const digital = model.emerging.find((row) => slugOf.get(row.themeId) === 'digitaal')!
  t.equal(digital.current.value, themeCount(current, 'digitaal'))
  t.equal(digital.previous.value, themeCount(previous, 'digitaal'))
  t.equal(digital.previousTotal.value, previous.length)

  const byLocation = model.breakdowns.find((b) => b.key === 'location')!
  for (const row of byLocation.rows) {
    const expected = current.filter((a) => String(world.posters[a.posterIndex]!.locationId) === row.key).length
    t.equal(row.cell.value, expected, `location ${row.key}`)
  }
  const byAge = model.breakdowns.find((b) => b.key === 'age_band')!
  t.equal(byAge.rows.find((row) => row.key === '')!.cell.value, current.filter((a) => a.ageBand === null).length, 'answers without an age band')

  t.ok(model.text.words.some((word) => word.term === 'computer'), '"computer" is among the words people use (not a stopword)')
  t.ok(model.text.rising.some((word) => word.term === 'computer' && word.isNew), '"computer" is new this period')
  t.notOk(model.text.words.some((word) => ['de', 'met', 'en', 'voor'].includes(word.term)), 'no Dutch stopwords')

  // A period with a whole month in it reads that month from the month rollups and the
  // loose days from the day rollups: the figures must not change because of it.
  const long = (await loadDashboard(db, { regionId: world.regionId }, {}, { from: '2026-09-15', to: '2026-11-27' }))!
  const inLong = answers.filter((a) => localDay(a.createdAt) >= '2026-09-15' && localDay(a.createdAt) <= '2026-11-27')
  t.equal(long.headline.responses.value, inLong.length, 'responses over months and loose days')
  t.same(
    long.themes.map((theme) => [slugOf.get(theme.themeId), theme.cell.value]),
    ['digitaal', 'talen', 'koken-voeding'].map((slug) => [slug, themeCount(inLong, slug)] as const).sort((a, b) => b[1] - a[1]),
    'theme counts over months and loose days',
  )
  for (const row of long.breakdowns.find((b) => b.key === 'location')!.rows) {
    t.equal(row.cell.value, inLong.filter((a) => String(world.posters[a.posterIndex]!.locationId) === row.key).length, `location ${row.key} over months and loose days`)
  }
  // Partial months read as "the whole month minus the days outside": those days have answers here.
  const trimmed = (await loadDashboard(db, { regionId: world.regionId }, {}, { from: '2026-10-04', to: '2026-11-25' }))!
  const inTrimmed = answers.filter((a) => localDay(a.createdAt) >= '2026-10-04' && localDay(a.createdAt) <= '2026-11-25')
  t.equal(trimmed.headline.responses.value, inTrimmed.length)
  t.same(
    trimmed.themes.map((theme) => [slugOf.get(theme.themeId), theme.cell.value]),
    ['digitaal', 'talen', 'koken-voeding'].map((slug) => [slug, themeCount(inTrimmed, slug)] as const).sort((a, b) => b[1] - a[1]),
    'theme counts with days taken away from whole months',
  )
  for (const row of trimmed.breakdowns.find((b) => b.key === 'age_band')!.rows) {
    t.equal(row.cell.value, inTrimmed.filter((a) => (a.ageBand ?? '') === row.key).length, `age band "${row.key}" with days taken away`)
  }
  const longAdults = (await loadDashboard(db, { regionId: world.regionId }, { audience: 'adults', ageBand: '45_64' }, { from: '2026-10-01', to: '2026-11-27' }))!
  t.equal(
    longAdults.breakdowns.find((b) => b.key === 'location')!.rows.reduce((sum, row) => sum + row.cell.value, 0),
    answers.filter((a) => localDay(a.createdAt) >= '2026-10-01' && a.posterIndex === 3 && a.ageBand === '45_64').length,
    'filters on the month rollups too',
  )

  // A filter narrows every figure to the slice.
  const adults = (await loadDashboard(db, { regionId: world.regionId }, { audience: 'adults' }, period))!
  t.equal(adults.headline.responses.value, current.filter((a) => a.posterIndex === 3).length, 'audience filter: only the adults activity')
  const band = (await loadDashboard(db, { regionId: world.regionId }, { ageBand: '25_44' }, period))!
  t.equal(band.headline.responses.value, current.filter((a) => a.ageBand === '25_44').length, 'age band filter')
  t.equal(
    band.themes.find((theme) => slugOf.get(theme.themeId) === 'talen')?.cell.value ?? 0,
    current.filter((a) => a.ageBand === '25_44' && a.themeSlugs.includes('talen')).length,
    'age band filter applies to themes too',
  )
})

t.test('a partner sees only its own posters’ numbers', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const world = await buildWorld(db, { k: 3 })
  const answers = makeAnswers(5)
  await storeDataset(db, world, answers)
  const period = namedPeriod('4w', today)
  const current = answers.filter((a) => localDay(a.createdAt) >= period.from && localDay(a.createdAt) <= period.to)
  const ofB = current.filter((a) => world.posters[a.posterIndex]!.partnerId === world.partners.b)

  const model = (await loadDashboard(db, { regionId: world.regionId, partnerId: world.partners.b }, {}, period))!
  t.equal(model.headline.responses.value, ofB.length, 'headline counts only partner B')
  t.same(model.directory.partners.map((p) => p.id), [world.partners.b], 'only its own partner in the filters')
  t.same(model.directory.activities.map((a) => a.partnerId), [world.partners.b], 'only its own activities')
  t.same(model.directory.locations.map((l) => l.id), [world.locations[2]], 'only the locations of its posters')
  const totalThemes = model.themes.reduce((sum, theme) => sum + theme.cell.value, 0)
  t.equal(totalThemes, ofB.reduce((sum, a) => sum + a.themeSlugs.length, 0), 'theme counts only from its posters')
  t.equal(model.text.currentTexts, ofB.filter((a) => a.freeText !== null).length, 'words only from its posters’ texts')
  // Even asking for the other partner inside a partner scope yields only its own rows (none).
  const sneaky = (await loadDashboard(db, { regionId: world.regionId, partnerId: world.partners.b }, { partnerId: world.partners.a }, period))!
  t.equal(sneaky.headline.responses.value, 0, 'a filter cannot widen the scope')
})
