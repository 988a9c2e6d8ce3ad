import fc from 'fast-check'
import t from 'tap'
import { addDays, dayCount, type Period, periodPieces } from '../../src/dashboard/period.ts'

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
