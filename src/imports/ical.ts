import ICAL from 'ical.js'
import { normalizeAddress, type MappedEvent, type ReportLine } from './event.ts'
import { brusselsDay, type Parsed } from './uitdatabank.ts'

/**
 * An iCalendar feed (RFC 5545) for partners who keep a calendar instead of UiTdatabank,
 * parsed with ical.js. A recurring event is expanded over the next year (RRULE, RDATE and
 * EXDATE, as ical.js's iterator applies them) and becomes one activity from its first to
 * its last occurrence in that year: a partner hangs one poster for a weekly club, not one
 * per evening. The number of sessions goes into the schedule text.
 */

const horizonDays = 366
/** A runaway rule (FREQ=SECONDLY) must not hold the import: occurrences counted per event at most. */
const maxOccurrences = 1000

export function looksLikeICalendar(text: string): boolean {
  return /^\uFEFF?BEGIN:VCALENDAR\r?\n/i.test(text)
}

export function parseICalendar(text: string, options: { language: string; now?: Date }): Parsed[] | null {
  let calendar: ICAL.Component
  try {
    calendar = new ICAL.Component(ICAL.parse(text))
  } catch {
    return null
  }
  const now = options.now ?? new Date()
  const horizon = new Date(now.getTime() + horizonDays * 86_400_000)
  const out: Parsed[] = []
  // An overriding instance (RECURRENCE-ID) belongs to its series: the series is the event.
  for (const component of calendar.getAllSubcomponents('vevent').filter((c) => !c.hasProperty('recurrence-id'))) {
    out.push(mapEvent(component, options.language, now, horizon))
  }
  return out
}

function mapEvent(component: ICAL.Component, language: string, now: Date, horizon: Date): Parsed {
  let event: ICAL.Event
  try {
    event = new ICAL.Event(component)
  } catch (error) {
    return { line: skipped(null, null, 'invalid', (error as Error).message) }
  }
  const uid = event.uid?.trim() || null
  const title = event.summary?.trim() || null
  if (!uid) return { line: skipped(null, title, 'no-id') }
  if (!title) return { line: skipped(uid, null, 'no-name') }
  if (!event.startDate) return { line: skipped(uid, title, 'no-date') }

  let first: Date
  let last: Date
  let sessions = 1
  try {
    if (event.isRecurring()) {
      const iterator = event.iterator()
      const inYear: Date[] = []
      let count = 0
      for (let next = iterator.next(); next && count < maxOccurrences; next = iterator.next(), count++) {
        const start = next.toJSDate()
        if (start > horizon) break
        if (start >= startOfDay(now)) inYear.push(start)
      }
      if (inYear.length === 0) return { line: skipped(uid, title, 'no-future-date') }
      first = inYear[0]!
      last = inYear[inYear.length - 1]!
      sessions = inYear.length
    } else {
      first = event.startDate.toJSDate()
      last = (event.endDate ?? event.startDate).toJSDate()
    }
  } catch (error) {
    return { line: skipped(uid, title, 'invalid', (error as Error).message) }
  }
  if (Number.isNaN(first.getTime()) || first.getUTCFullYear() < 2000 || last.getUTCFullYear() > now.getUTCFullYear() + 5 || last < first) {
    return { line: skipped(uid, title, 'date-out-of-range') }
  }

  const location = component.getFirstPropertyValue('location')
  const place = typeof location === 'string' && location.trim() !== '' ? placeFromText(location.trim()) : null
  const organizer = component.getFirstProperty('organizer')
  const organizerValue = organizer?.getFirstValue()
  const organizerName = organizer?.getParameter('cn')
  const categories = component.getAllProperties('categories').flatMap((property) => property.getValues().map(String))
  const status = String(component.getFirstPropertyValue('status') ?? '').toUpperCase()
  const description = component.getFirstPropertyValue('description')
  const url = component.getFirstPropertyValue('url')

  const mapped: MappedEvent = {
    externalId: uid,
    kind: 'activity',
    title: title.slice(0, 200),
    description: typeof description === 'string' && description.trim() !== '' ? description.trim().slice(0, 2000) : null,
    startsOn: brusselsDay(first.toISOString()),
    endsOn: brusselsDay(last.toISOString()),
    audience: 'all',
    // RFC 5545 3.8.1.11: STATUS:CANCELLED for a cancelled event; TENTATIVE still happens.
    status: status === 'CANCELLED' ? 'cancelled' : 'active',
    place,
    organizer: typeof organizerValue === 'string' ? { externalId: organizerValue, name: typeof organizerName === 'string' ? organizerName : organizerValue.replace(/^mailto:/i, '') } : null,
    terms: categories.map((category) => ({ id: `ics:${normalizeAddress(category)}`, label: category, domain: 'theme' as const })),
    cost: null,
    schedule: sessions > 1 ? `${brusselsDay(first.toISOString())} – ${brusselsDay(last.toISOString())} (${sessions}×)` : null,
    link: typeof url === 'string' ? url : null,
    language,
  }
  return { event: mapped }
}

/**
 * LOCATION is free text ("Bib Tongeren, Vermeulenstraat 2, 3700 Tongeren"): the text itself
 * is the place's id, and its parts after the first comma are read as the address.
 */
function placeFromText(text: string): MappedEvent['place'] {
  const parts = text.split(',').map((part) => part.trim()).filter(Boolean)
  const town = parts.length > 1 ? /^(\d{4})\s+(.+)$/.exec(parts[parts.length - 1]!) : null
  return {
    externalId: `ics:${normalizeAddress(text)}`,
    name: parts[0]!.slice(0, 300),
    street: parts.length > 2 ? parts.slice(1, -1).join(', ') : parts.length === 2 && !town ? parts[1]! : null,
    postalCode: town?.[1] ?? null,
    locality: town?.[2] ?? null,
  }
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
}

function skipped(externalId: string | null, title: string | null, reason: string, detail: string | null = null): ReportLine {
  return { externalId, title, outcome: 'skipped', reason, detail }
}
