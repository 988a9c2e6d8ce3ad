import { z } from 'zod'
import { audienceFromAgeRange, type MappedEvent, type MappedPlace, type ReportLine } from './event.ts'

/**
 * UiTdatabank Search API v3 results (publiq's event JSON-LD), read as documented in
 * cultuurnet/apidocs and cultuurnet/udb3-json-schemas; each schema below names its source.
 * Unknown fields are ignored (zod strips them): the model grows, and we use only what the
 * issue lists.
 */

/** The Eventtype "Cursus of workshop" (issue 18): such an event is a learning offer, not an activity. */
const courseEventType = '0.3.1.0.0'

/** Days Leervraag accepts: a typo such as 2062 or 1926 is refused rather than planned. */
const earliestYear = 2000
const latestYearsAhead = 5

// common-name-localized.json / common-description-localized.json: an object keyed by
// language (nl, fr, de, en), each a string.
const localized = z.record(z.string(), z.string())

// common-status.json: status.type is one of three; the reason is localized text.
const status = z.object({ type: z.enum(['Available', 'TemporarilyUnavailable', 'Unavailable']) })

// event-startDate.json / event-endDate.json: ISO-8601 date-times with an offset.
const dateTime = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), 'date')

// common-address-localized.json: addressCountry, addressLocality, postalCode, streetAddress.
const address = z.object({
  addressLocality: z.string().optional(),
  postalCode: z.string().optional(),
  streetAddress: z.string().optional(),
})

const eventSchema = z
  .object({
    // event-@id.json: the event's URL, e.g. https://io.uitdatabank.be/event/<uuid>.
    '@id': z.string().url(),
    '@type': z.literal('Event').optional(),
    mainLanguage: z.string().optional(),
    name: localized.refine((names) => Object.values(names).some((name) => name.trim() !== ''), 'name'),
    description: localized.optional(),
    // event-calendarType.json and search-api/filters/datetime.md: single and multiple have
    // subEvent occurrences; periodic has a startDate and endDate (and maybe openingHours);
    // permanent has no dates.
    calendarType: z.enum(['single', 'multiple', 'periodic', 'permanent']),
    startDate: dateTime.optional(),
    endDate: dateTime.optional(),
    // event-subEvent.json: startDate and endDate are required per occurrence.
    subEvent: z.array(z.object({ startDate: dateTime, endDate: dateTime, status: status.optional() })).optional(),
    // common-openingHours.json: opens/closes as H:MM or HH:MM, dayOfWeek monday…sunday.
    openingHours: z
      .array(
        z.object({
          opens: z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/),
          closes: z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/),
          dayOfWeek: z.array(z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])).min(1),
        }),
      )
      .optional(),
    // event-location.json: a place with @id, a localized name and a localized address.
    location: z
      .object({
        '@id': z.string().min(1),
        name: localized.optional(),
        address: z.record(z.string(), address).optional(),
      })
      .optional(),
    // event-organizer.json: an organizer with @id and a (localized) name.
    organizer: z.object({ '@id': z.string().min(1), name: z.union([localized, z.string()]).optional() }).optional(),
    // event-terms.json: id required; domain eventtype, theme or facility.
    terms: z.array(z.object({ id: z.string().min(1), label: z.string().optional(), domain: z.enum(['eventtype', 'theme', 'facility']).optional() })).default([]),
    typicalAgeRange: z.string().optional(),
    // event-audience.json: everyone, members or education.
    audience: z.object({ audienceType: z.enum(['everyone', 'members', 'education']) }).optional(),
    status: status.optional(),
    // common-workflowStatus-offer.json.
    workflowStatus: z.enum(['DRAFT', 'READY_FOR_VALIDATION', 'APPROVED', 'REJECTED', 'DELETED']).optional(),
    // common-bookingInfo.json: url, phone, email (and labels we do not use).
    bookingInfo: z.object({ url: z.string().optional() }).optional(),
    // common-priceInfo.json: category base/tariff/uitpas, a price and its currency.
    priceInfo: z.array(z.object({ category: z.string(), price: z.number().min(0), priceCurrency: z.string().optional() })).optional(),
  })
  .superRefine((event, ctx) => {
    const hasDates = event.startDate !== undefined && event.endDate !== undefined
    const occurrences = event.subEvent ?? []
    if ((event.calendarType === 'single' || event.calendarType === 'multiple') && !hasDates && occurrences.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['startDate'], message: 'no-date' })
    }
    if (event.calendarType === 'periodic' && !hasDates) ctx.addIssue({ code: 'custom', path: ['startDate'], message: 'no-date' })
  })

export type UitEvent = z.infer<typeof eventSchema>

// search-api/pagination.md and embedding.md: a hydra PagedCollection with itemsPerPage,
// totalItems and member; members are full documents with embed=true, else @id/@type links.
const collectionSchema = z.object({
  '@type': z.literal('PagedCollection'),
  totalItems: z.number().int().min(0).optional(),
  itemsPerPage: z.number().int().min(0).optional(),
  member: z.array(z.unknown()),
})

const linkSchema = z.object({ '@id': z.string().url(), '@type': z.string() })

export type Fetcher = (url: string) => Promise<unknown>

/** A document of the collection: an event to map, or a line for the report. */
export type Parsed = { event: MappedEvent; defaultPartnerId?: number | null } | { line: ReportLine }

export function collectionTotal(value: unknown): number | null {
  const parsed = collectionSchema.safeParse(value)
  return parsed.success ? (parsed.data.totalItems ?? null) : null
}

/**
 * Every member of a PagedCollection (or one event document), validated and mapped. A member
 * that is only a link is fetched with `fetcher` (one request each); without a fetcher it is
 * reported as skipped. Places and organizers in an /offers result are not events.
 */
export async function parseSearchResult(json: unknown, options: { language: string; fetcher?: Fetcher; now?: Date }): Promise<Parsed[] | null> {
  const collection = collectionSchema.safeParse(json)
  const members = collection.success ? collection.data.member : isObject(json) && json['@type'] === 'Event' ? [json] : null
  if (!members) return null
  const out: Parsed[] = []
  for (const member of members) {
    let document: unknown = member
    const link = linkSchema.safeParse(member)
    if (link.success && isObject(member) && Object.keys(member).length === 2) {
      if (link.data['@type'] !== 'Event') {
        out.push({ line: skipped(link.data['@id'], null, 'not-event') })
        continue
      }
      if (!options.fetcher) {
        out.push({ line: skipped(link.data['@id'], null, 'link-only') })
        continue
      }
      try {
        document = await options.fetcher(link.data['@id'])
      } catch (error) {
        out.push({ line: skipped(link.data['@id'], null, 'fetch-failed', (error as Error).message) })
        continue
      }
    }
    out.push(mapDocument(document, options.language, options.now ?? new Date()))
  }
  return out
}

function mapDocument(document: unknown, language: string, now: Date): Parsed {
  const id = isObject(document) && typeof document['@id'] === 'string' ? document['@id'] : null
  const rawName = isObject(document) && isObject(document.name) ? Object.values(document.name).find((v) => typeof v === 'string') : undefined
  const title = typeof rawName === 'string' ? rawName : null
  if (isObject(document) && typeof document['@type'] === 'string' && document['@type'] !== 'Event') return { line: skipped(id, title, 'not-event') }
  const parsed = eventSchema.safeParse(document)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = String(issue.path[0] ?? '')
    const reason =
      field === 'name' ? 'no-name' : field === '@id' ? 'no-id' : ['startDate', 'endDate', 'subEvent', 'calendarType'].includes(field) ? 'no-date' : field === 'terms' ? 'bad-terms' : 'invalid'
    return { line: skipped(id, title, reason, issue.path.join('.')) }
  }
  const event = parsed.data
  const name = pick(event.name, event.mainLanguage, language)!
  if (event.workflowStatus === 'DRAFT') return { line: skipped(event['@id'], name.text, 'not-public') }

  const span = calendarSpan(event)
  if (span && !inRange(span, now)) return { line: skipped(event['@id'], name.text, 'date-out-of-range', `${span.start} – ${span.end}`) }

  const description = event.description ? pick(event.description, name.language, language)?.text ?? null : null
  const kind = event.terms.some((term) => term.id === courseEventType) ? 'offer' : 'activity'
  const place = event.location ? mapPlace(event.location, name.language, language) : null
  const organizerName = event.organizer?.name
  const base = event.priceInfo?.find((price) => price.category === 'base')
  const mapped: MappedEvent = {
    externalId: event['@id'],
    kind,
    title: name.text.trim().slice(0, 200),
    description: description?.trim().slice(0, 2000) || null,
    startsOn: span ? brusselsDay(span.start) : null,
    endsOn: span ? brusselsDay(span.end) : null,
    // event-audience.json: an event for members or schools only is not for every citizen;
    // we keep the age range as the audience and leave that distinction to the partner.
    audience: audienceFromAgeRange(event.typicalAgeRange),
    status: sourceStatus(event),
    place,
    organizer: event.organizer
      ? { externalId: event.organizer['@id'], name: (typeof organizerName === 'string' ? organizerName : organizerName ? pick(organizerName, name.language, language)?.text : null) ?? event.organizer['@id'] }
      : null,
    // Facility terms (accessibility) are not themes; eventtype and theme terms are mapped.
    terms: event.terms.filter((term) => term.domain !== 'facility').map((term) => ({ id: term.id, label: term.label ?? term.id, domain: term.domain === 'eventtype' ? ('eventtype' as const) : ('theme' as const) })),
    cost: base ? (base.price === 0 ? '0' : `${base.price.toFixed(2).replace('.', ',')} ${base.priceCurrency ?? 'EUR'}`) : null,
    schedule: span ? `${brusselsDay(span.start)} – ${brusselsDay(span.end)}` : null,
    link: event.bookingInfo?.url ?? null,
    language: name.language,
  }
  return { event: mapped }
}

/**
 * status.type (common-status.json): Available → active; TemporarilyUnavailable (postponed)
 * → paused; Unavailable (cancelled) → cancelled. workflowStatus DELETED and REJECTED ("hidden
 * from all publication channels") → cancelled as well.
 */
function sourceStatus(event: UitEvent): MappedEvent['status'] {
  if (event.workflowStatus === 'DELETED' || event.workflowStatus === 'REJECTED') return 'cancelled'
  if (event.status?.type === 'Unavailable') return 'cancelled'
  if (event.status?.type === 'TemporarilyUnavailable') return 'paused'
  return 'active'
}

/** The first start and last end over the event's own dates and its subEvents; null when permanent. */
function calendarSpan(event: UitEvent): { start: string; end: string } | null {
  if (event.calendarType === 'permanent') return null
  const starts = [event.startDate, ...(event.subEvent ?? []).map((sub) => sub.startDate)].filter((d): d is string => !!d)
  const ends = [event.endDate, ...(event.subEvent ?? []).map((sub) => sub.endDate)].filter((d): d is string => !!d)
  const start = starts.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b))
  const end = ends.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b))
  return { start, end }
}

function inRange(span: { start: string; end: string }, now: Date): boolean {
  const start = new Date(span.start)
  const end = new Date(span.end)
  return start.getUTCFullYear() >= earliestYear && end.getUTCFullYear() <= now.getUTCFullYear() + latestYearsAhead && end >= start
}

const brussels = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar day in Belgium: an event at 23:30 UTC on the 31st happens on the 1st there. */
export function brusselsDay(iso: string): string {
  return brussels.format(new Date(iso))
}

function mapPlace(location: NonNullable<UitEvent['location']>, nameLanguage: string, language: string): MappedPlace {
  const lines = location.address ?? {}
  const line = lines[nameLanguage] ?? lines[language] ?? lines.nl ?? Object.values(lines)[0]
  const name = location.name ? pick(location.name, nameLanguage, language)?.text : undefined
  return {
    externalId: location['@id'],
    name: (name ?? line?.streetAddress ?? location['@id']).slice(0, 300),
    street: line?.streetAddress ?? null,
    postalCode: line?.postalCode ?? null,
    locality: line?.addressLocality ?? null,
  }
}

/** The text in the event's main language, else the region's, else Dutch, else any. */
function pick(texts: Record<string, string>, main: string | undefined, language: string): { text: string; language: string } | null {
  for (const candidate of [main, language, 'nl']) {
    if (candidate && texts[candidate]?.trim()) return { text: texts[candidate], language: candidate }
  }
  const first = Object.entries(texts).find(([, text]) => text.trim() !== '')
  return first ? { text: first[1], language: first[0] } : null
}

function skipped(externalId: string | null, title: string | null, reason: string, detail: string | null = null): ReportLine {
  return { externalId, title, outcome: 'skipped', reason, detail }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
