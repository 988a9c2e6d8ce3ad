import { createHash } from 'node:crypto'
import type { Audience, ImportKind, ImportSourceStatus } from '../db/types.ts'

/**
 * One event as the importer stores it, whatever its source (UiTdatabank JSON-LD or
 * iCalendar): the fields Leervraag uses, already mapped. The fingerprint is taken over this
 * shape, so a source changing a field we ignore does not count as a change.
 */
export interface MappedEvent {
  externalId: string
  kind: ImportKind
  title: string
  description: string | null
  startsOn: string | null
  endsOn: string | null
  audience: Audience
  status: ImportSourceStatus
  place: MappedPlace | null
  organizer: { externalId: string; name: string } | null
  /**
   * UiTdatabank theme and eventtype terms (or iCalendar categories, as themes), mapped to the
   * region's themes by import_terms. Only an unmapped *theme* is reported: every event has an
   * eventtype, and most of those (concert, exhibition) rightly map to nothing.
   */
  terms: { id: string; label: string; domain: 'eventtype' | 'theme' }[]
  /** Free text for an offer's cost and schedule columns. */
  cost: string | null
  schedule: string | null
  link: string | null
  language: string
}

export interface MappedPlace {
  externalId: string
  name: string
  street: string | null
  postalCode: string | null
  locality: string | null
}

export type Outcome = 'imported' | 'updated' | 'unchanged' | 'pending' | 'skipped'

/** One line of a run's report; `reason` is a catalog key (admin.imports.reason.*). */
export interface ReportLine {
  externalId: string | null
  title: string | null
  outcome: Outcome
  reason: string | null
  detail: string | null
}

export function fingerprint(event: MappedEvent): string {
  return createHash('sha256').update(JSON.stringify(event)).digest('hex')
}

/** The address as one line, the way locations.address holds it. */
export function placeAddress(place: MappedPlace): string | null {
  const town = [place.postalCode, place.locality].filter(Boolean).join(' ')
  const line = [place.street, town].filter(Boolean).join(', ')
  return line === '' ? null : line
}

/** A comparable form of an address: lower case, no accents, punctuation and spaces folded. */
export function normalizeAddress(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

/**
 * The audience from a typicalAgeRange such as "6-12", "-12", "18-" (pattern `^[\d]*-[\d]*$`,
 * udb3-json-schemas common-typicalAgeRange.json). The bands follow the capture form's:
 * children under 12, youth 12–17, seniors from 65, adults from 18; a range across bands is
 * "all".
 */
export function audienceFromAgeRange(range: string | undefined | null): Audience {
  const match = range ? /^(\d*)-(\d*)$/.exec(range) : null
  if (!match) return 'all'
  const min = match[1] === '' ? 0 : Number(match[1])
  const max = match[2] === '' ? Infinity : Number(match[2])
  if (min >= 65) return 'seniors'
  if (min >= 18) return 'adults'
  if (max <= 11) return 'children'
  if (min >= 12 && max <= 17) return 'youth'
  return 'all'
}
