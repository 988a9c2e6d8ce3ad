import fc from 'fast-check'
import t from 'tap'
import { addDays, assertBoundedPeriod, dayCount, dayNumber, dayRange, isoWeek, maxPeriodDays, type Period, periodPieces, weekMondays } from '../../src/answers/period.ts'

/** Every day a piece stands for, with its sign: the signed sum over all pieces must be the period. */
function signedDays(period: Period, years: boolean): Map<string, number> {
  const counted = new Map<string, number>()
  const bump = (day: string, sign: number) => counted.set(day, (counted.get(day) ?? 0) + sign)
  for (const piece of periodPieces(period, { years })) {
    const first = piece.grain === 'day' ? piece.from : piece.grain === 'month' ? `${piece.from}-01` : `${piece.from}-01-01`
    for (let day = first; ; day = addDays(day, 1)) {
      const inside = piece.grain === 'day' ? day <= piece.to : piece.grain === 'month' ? day.slice(0, 7) <= piece.to : day.slice(0, 4) <= piece.to
      if (!inside) break
      bump(day, piece.sign)
    }
  }
  for (const [day, sign] of counted) if (sign === 0) counted.delete(day)
  return counted
}

const day = fc.integer({ min: 0, max: 5 * 366 }).map((offset) => addDays('2023-01-01', offset))

t.test('the signed pieces of any period add up to exactly its days, with and without years', async (t) => {
  fc.assert(
    fc.property(day, fc.integer({ min: 0, max: 5 * 366 }), fc.boolean(), (from, length, years) => {
      const period = { from, to: addDays(from, length) }
      const counted = signedDays(period, years)
      if (counted.size !== dayCount(period)) return false
      for (const [dayInside, sign] of counted) if (sign !== 1 || dayInside < period.from || dayInside > period.to) return false
      return true
    }),
    { numRuns: 400 },
  )
  t.pass('400 random periods from one day to five years')
})

t.test('a year ending today reads one month of last year and this year minus the month to come', async (t) => {
  t.same(periodPieces({ from: '2025-11-29', to: '2026-11-28' }, { years: true }), [
    { grain: 'day', from: '2025-11-29', to: '2025-11-30', sign: 1 },
    { grain: 'day', from: '2026-11-29', to: '2026-11-30', sign: -1 },
    { grain: 'month', from: '2025-12', to: '2025-12', sign: 1 },
    { grain: 'year', from: '2026', to: '2026', sign: 1 },
    { grain: 'month', from: '2026-12', to: '2026-12', sign: -1 },
  ])
  t.same(
    periodPieces({ from: '2025-11-29', to: '2026-11-28' }, { years: false }).filter((piece) => piece.grain === 'month'),
    [{ grain: 'month', from: '2025-12', to: '2026-11', sign: 1 }],
    'tables without a year grain read the months',
  )
  t.same(periodPieces({ from: '2026-03-01', to: '2026-05-31' }, { years: true }), [{ grain: 'month', from: '2026-03', to: '2026-05', sign: 1 }], 'a quarter stays in months')
})

t.test('issue 13: days are counted as numbers and never wrap past the year 9999', async (t) => {
  t.equal(dayNumber('1970-01-01'), 0)
  t.equal(dayNumber('1969-12-31'), -1)
  t.equal(dayNumber('2026-11-27') - dayNumber('2025-11-27'), 365)
  t.throws(() => addDays('9999-12-31', 1), RangeError, 'the day after 9999-12-31 is no day: +010000-01-01 would sort before it')
  t.throws(() => addDays('0000-01-01', -1), RangeError)
  t.equal(addDays('9999-12-30', 1), '9999-12-31')
  t.same(dayRange('2026-11-27'), { earliest: '2000-01-01', latest: '2027-11-27' })
  t.same(dayRange('2028-02-29'), { earliest: '2000-01-01', latest: '2029-03-01' }, '29 February plus a year')
})

t.test('issue 13: weekMondays gives every week that touches the period, and refuses a period it cannot bound', async (t) => {
  t.same(weekMondays({ from: '2026-11-25', to: '2026-12-07' }), ['2026-11-23', '2026-11-30', '2026-12-07'])
  t.same(weekMondays({ from: '2026-11-23', to: '2026-11-23' }), ['2026-11-23'])
  fc.assert(
    fc.property(day, fc.integer({ min: 0, max: maxPeriodDays - 1 }), (from, length) => {
      const period = { from, to: addDays(from, length) }
      const mondays = weekMondays(period)
      return (
        mondays[0] === isoWeek(from).monday &&
        mondays.at(-1) === isoWeek(period.to).monday &&
        mondays.every((monday, index) => index === 0 || dayNumber(monday) - dayNumber(mondays[index - 1]!) === 7)
      )
    }),
    { numRuns: 200 },
  )
  for (const period of [
    { from: '9999-12-30', to: '9999-12-31' },
    { from: '0000-01-01', to: '0000-12-31' },
    { from: '1999-12-31', to: '2000-01-31' },
    { from: '2026-11-27', to: '2026-11-26' },
    { from: '2020-01-01', to: addDays('2020-01-01', maxPeriodDays) },
    { from: '+010000-01-01', to: '+010000-01-02' },
    { from: '2024-02-30', to: '2024-03-01' },
    { from: '', to: '' },
  ]) {
    t.throws(() => weekMondays(period), RangeError, JSON.stringify(period))
    t.throws(() => assertBoundedPeriod(period), RangeError)
  }
})
