/**
 * The calendar the answers are counted in: the local day in Belgium. A response given at
 * 00:30 in Brussels on 1 January belongs to 1 January on every dashboard, in every rollup
 * row, in the one-answer-per-device rule and in a period's bounds — so there is one
 * formatter and one rule, here.
 */
const brusselsDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' })
const dayByUtcHour = new Map<string, string>()

/**
 * The local day in Belgium (`YYYY-MM-DD`) of an ISO UTC timestamp. Daylight-saving changes
 * happen on a whole UTC hour, so the answer depends only on the UTC hour and is kept per
 * hour: the rebuild and the seed call this a million times.
 */
export function brusselsDay(iso: string): string {
  const hour = iso.slice(0, 13)
  let day = dayByUtcHour.get(hour)
  if (day === undefined) {
    day = brusselsDate.format(new Date(`${hour}:00:00Z`))
    if (dayByUtcHour.size > 100_000) dayByUtcHour.clear()
    dayByUtcHour.set(hour, day)
  }
  return day
}

let today = { until: 0, day: '' }

/**
 * Today in Belgium: `brusselsDay` of now. The citizen routes ask several times per request,
 * so the answer is kept until the end of the current UTC minute (no Date or string is
 * made per call on the hot path).
 */
export function localDay(now = Date.now()): string {
  if (now < today.until && now >= today.until - 60_000) return today.day
  const day = brusselsDay(new Date(now).toISOString())
  today = { until: Math.floor(now / 60_000) * 60_000 + 60_000, day }
  return day
}
