import fc from 'fast-check'
import t from 'tap'
import {
  dayNumber,
  dayString,
  type GridPeriod,
  GridPeriodError,
  gridPeriodsAvailable,
  isoWeekOf,
  parseGridPeriod,
  periodId,
  periodOf,
  periodRange,
  previousPeriod,
} from '../../src/answers/period-grid.ts'

const TODAY = '2026-11-20'
const day = fc.integer({ min: dayNumber('2001-01-01'), max: dayNumber('2030-12-31') })
const kind = fc.constantFrom('week', 'month', 'quarter', 'year', 'qtd', 'ytd' as const)

t.test('canonical ids read back to the same period; the examples of the issue', async (t) => {
  const examples: Array<[string, GridPeriod]> = [
    ['2026-W48', { kind: 'week', year: 2026, week: 48 }],
    ['2026-11', { kind: 'month', year: 2026, month: 11 }],
    ['2026-Q4', { kind: 'quarter', year: 2026, quarter: 4 }],
    ['2026', { kind: 'year', year: 2026 }],
    ['2026-Q4-td', { kind: 'qtd', year: 2026, quarter: 4 }],
    ['2026-td', { kind: 'ytd', year: 2026 }],
  ]
  for (const [id, period] of examples) {
    t.same(parseGridPeriod(id, TODAY), period, id)
    t.equal(periodId(period), id)
  }
  fc.assert(
    fc.property(kind, day, (k, d) => {
      const p = periodOf(k, d)
      return JSON.stringify(parseGridPeriod(periodId(p), '2031-06-01')) === JSON.stringify(p)
    }),
  )
})

t.test('anything off the grid is a typed error', async (t) => {
  for (const id of ['2026-W54', '2026-W00', '2025-W53', '2026-13', '2026-00', '2026-Q5', '2026-Q0', '2026-W5', '2026-1', '26', '2026-11-01',
    '2026-11-01..2026-11-07', ' 2026', '2026 ', '2026-q4', '2026-Q4-TD', '1999', '2028', '2026-w48', '']) {
    t.throws(() => parseGridPeriod(id, TODAY), GridPeriodError, id)
  }
  t.equal((() => { try { parseGridPeriod('1999-11', TODAY) } catch (e) { return (e as GridPeriodError).code } })(), 'out_of_range')
  t.equal((() => { try { parseGridPeriod('2026-Q9', TODAY) } catch (e) { return (e as GridPeriodError).code } })(), 'off_grid')
  t.same(parseGridPeriod('2026-W53', '2027-01-10'), { kind: 'week', year: 2026, week: 53 }, '2026 has 53 ISO weeks')
  t.same(parseGridPeriod('2027', TODAY), { kind: 'year', year: 2027 }, 'next year is on the grid')
  t.throws(() => periodRange({ kind: 'year', year: 2027 }, TODAY), GridPeriodError, 'but has no days yet')
  t.throws(() => dayNumber('2026-02-29'), GridPeriodError)
})

t.test('weeks are Monday to Sunday and agree with ISO 8601 (known dates)', async (t) => {
  t.same(periodRange(parseGridPeriod('2026-W48', TODAY), '2027-01-01'), { from: '2026-11-23', to: '2026-11-29' })
  t.same(periodRange(parseGridPeriod('2021-W01', TODAY), TODAY), { from: '2021-01-04', to: '2021-01-10' })
  t.same(periodRange(parseGridPeriod('2020-W53', TODAY), TODAY), { from: '2020-12-28', to: '2021-01-03' })
  t.same(isoWeekOf(dayNumber('2024-12-30')), { year: 2025, week: 1 })
  fc.assert(
    fc.property(day, (d) => {
      const range = periodRange(periodOf('week', d), '2031-06-01')
      const from = new Date(`${range.from}T00:00:00Z`)
      return from.getUTCDay() === 1 && dayNumber(range.to) - dayNumber(range.from) === 6 && dayNumber(range.from) <= d && d <= dayNumber(range.to)
    }),
  )
})

t.test('consecutive periods of a kind never overlap, and whole periods tile the calendar', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom('week', 'month', 'quarter', 'year' as const), day, (k, d) => {
      const p = periodOf(k, d)
      const before = previousPeriod(p)!
      const a = periodRange(before, '2031-06-01')
      const b = periodRange(p, '2031-06-01')
      return dayNumber(a.to) + 1 === dayNumber(b.from) && dayNumber(a.from) <= dayNumber(a.to)
    }),
  )
  fc.assert(
    fc.property(fc.constantFrom('qtd', 'ytd' as const), day, day, (k, d, todayNumber) => {
      const p = periodOf(k, d)
      const before = previousPeriod(p)!
      const today = dayString(Math.max(todayNumber, d + 1))
      const a = periodRange(before, today)
      const b = periodRange(p, today)
      return dayNumber(a.to) < dayNumber(b.from)
    }),
  )
})

t.test('figures end yesterday; to-date periods end at the same point of their quarter or year', async (t) => {
  t.same(periodRange(parseGridPeriod('2026-11', TODAY), TODAY), { from: '2026-11-01', to: '2026-11-19' })
  t.same(periodRange(parseGridPeriod('2026-Q4-td', TODAY), TODAY), { from: '2026-10-01', to: '2026-11-19' })
  t.same(periodRange(parseGridPeriod('2026-Q3-td', TODAY), TODAY), { from: '2026-07-01', to: '2026-08-19' })
  t.same(periodRange(parseGridPeriod('2025-td', TODAY), TODAY), { from: '2025-01-01', to: '2025-11-19' })
  t.same(periodRange(parseGridPeriod('2026-Q3-td', '2027-01-01'), '2027-01-01'), { from: '2026-07-01', to: '2026-09-30' }, '31 December → 30 September')
  t.same(periodRange(parseGridPeriod('2023-td', '2024-03-01'), '2024-03-01'), { from: '2023-01-01', to: '2023-02-28' }, '29 February → 28 February')
  fc.assert(
    fc.property(kind, day, fc.integer({ min: 1, max: 400 }), (k, d, ahead) => {
      const today = dayString(d + ahead)
      const range = periodRange(periodOf(k, d), today)
      return dayNumber(range.to) < dayNumber(today) && dayNumber(range.from) <= dayNumber(range.to)
    }),
  )
  // a to-date period and the one before it have the same length within the month-end clamp
  fc.assert(
    fc.property(fc.constantFrom('qtd', 'ytd' as const), day, (k, d) => {
      const today = dayString(d + 1)
      const current = periodRange(periodOf(k, d), today)
      const before = periodRange(previousPeriod(periodOf(k, d))!, today)
      const lengths = [current, before].map((r) => dayNumber(r.to) - dayNumber(r.from))
      return current.to === dayString(d) && Math.abs(lengths[0]! - lengths[1]!) <= 3
    }),
  )
})

t.test('the periods available on a day: every kind, newest first, none before the earliest answer or after yesterday', async (t) => {
  const available = gridPeriodsAvailable(TODAY, '2026-01-15')
  const ids = available.map(periodId)
  t.equal(ids[0], '2026-W47')
  t.ok(ids.includes('2026-W03') && !ids.includes('2026-W02'))
  t.ok(ids.includes('2026-01') && ids.includes('2026-11') && !ids.includes('2026-12') && !ids.includes('2025-12'))
  t.ok(ids.includes('2026-Q4-td') && ids.includes('2026-Q1-td') && ids.includes('2026-td') && !ids.includes('2025-td'))
  t.equal(new Set(ids).size, ids.length)
  t.same(gridPeriodsAvailable(TODAY, TODAY), [])
  t.same(gridPeriodsAvailable('2026-10-01', '2026-09-30').map(periodId), ['2026-W40', '2026-09', '2026-Q3', '2026', '2026-Q3-td', '2026-td'])
  t.ok(gridPeriodsAvailable('2000-01-05', '1990-01-01').every((p) => p.year >= 2000))
  t.equal(previousPeriod({ kind: 'year', year: 2000 }), null)
})
