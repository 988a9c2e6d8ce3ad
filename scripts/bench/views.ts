/**
 * The named set of dashboard views a benchmark measures (issue 17): every filter alone,
 * two filters together, and random allowed combinations (at most two filters at once, as
 * the disclosure rules allow), each over the year and the last quarter.
 */

export interface RegionChoices {
  partners: readonly number[]
  locations: readonly number[]
  activities: readonly number[]
}

export interface View {
  name: string
  /** The dashboard's query string, without `?`. */
  query: string
}

const audiences = ['all', 'children', 'youth', 'adults', 'seniors'] as const
const ageBands = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus'] as const
type Filter = 'partner' | 'location' | 'activity' | 'audience' | 'age'
const filters: readonly Filter[] = ['partner', 'location', 'activity', 'audience', 'age']

/** A small seeded generator, so that the "random" views are the same in every run (and their plans comparable). */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

export function dashboardViews(choices: RegionChoices, options: { randomCombinations?: number; seed?: number } = {}): View[] {
  const next = random(options.seed ?? 17)
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
  const value = (filter: Filter): string | undefined => {
    if (filter === 'audience') return pick(audiences)
    if (filter === 'age') return pick(ageBands)
    const list = filter === 'partner' ? choices.partners : filter === 'location' ? choices.locations : choices.activities
    return list.length === 0 ? undefined : String(pick(list))
  }
  const combinations: { name: string; set: Filter[] }[] = [{ name: 'no filter', set: [] }]
  for (const filter of filters) combinations.push({ name: filter, set: [filter] })
  for (let i = 0; i < filters.length; i++) {
    for (let j = i + 1; j < filters.length; j++) combinations.push({ name: `${filters[i]}+${filters[j]}`, set: [filters[i]!, filters[j]!] })
  }
  const views: View[] = []
  for (const period of ['year', 'quarter'] as const) {
    for (const combination of combinations) {
      const params = new URLSearchParams({ period })
      for (const filter of combination.set) {
        const chosen = value(filter)
        if (chosen !== undefined) params.set(filter, chosen)
      }
      views.push({ name: `${period} ${combination.name}`, query: params.toString() })
    }
  }
  for (let n = 0; n < (options.randomCombinations ?? 50); n++) {
    const period = next() < 0.5 ? 'year' : 'quarter'
    const count = Math.floor(next() * 3)
    const set = [...filters].sort(() => next() - 0.5).slice(0, count)
    const params = new URLSearchParams({ period })
    for (const filter of set) {
      const chosen = value(filter)
      if (chosen !== undefined) params.set(filter, chosen)
    }
    views.push({ name: `random ${n + 1} ${period} ${set.join('+') || 'no filter'}`, query: params.toString() })
  }
  return views
}
