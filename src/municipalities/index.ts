import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ExpressionBuilder } from 'kysely'

/**
 * The Flemish and Brussels municipalities of 1 January 2025 with their Statbel (REFNIS) codes,
 * shipped as project data (data/municipalities.json, built from the tables and sources in
 * data/README.md). A location keeps its municipality as a code; a code retired by the 2025
 * mergers is read as the code that took it over, so that a merged municipality's figures
 * over five years stay one series.
 */

export interface Municipality {
  nis: string
  name: string
  nameFr?: string
  postalCodes: string[]
  /** The municipalities merged into this one on 1 January 2025. */
  formerly: { nis: string; name: string }[]
}

interface MunicipalityData {
  municipalities: Municipality[]
  merged: Record<string, string>
}

const data = JSON.parse(readFileSync(join(import.meta.dirname, 'data', 'municipalities.json'), 'utf8')) as MunicipalityData

/** Every municipality, by its Dutch name. */
export const municipalities: readonly Municipality[] = data.municipalities

const byCode = new Map(municipalities.map((m) => [m.nis, m]))

/** The code a municipality has today: an old code of a merged one becomes the new code. */
export function currentCode(nis: string): string {
  return data.merged[nis] ?? nis
}

/**
 * A code as a filter receives it (`?municipality=73111`): today's code, a code merged in 2025
 * read as the one that took it over, or undefined for anything else. The dashboard, the API
 * and the planning page all read the filter through it.
 */
export function parseMunicipalityCode(text: string): string | undefined {
  if (!/^\d{5}$/.test(text)) return undefined
  return findMunicipality(currentCode(text))?.nis
}

/** The municipalities of a set of codes (a region's locations), each once under its current code, by name: a filter's choices. */
export function municipalitiesOf(codes: Iterable<string | null>): { nis: string; name: string }[] {
  const current = new Set([...codes].filter((nis): nis is string => nis !== null).map(currentCode))
  return [...current].map((nis) => ({ nis, name: municipalityName(nis) ?? nis })).sort((a, b) => a.name.localeCompare(b.name, 'nl'))
}

/** The municipality of a current code (undefined for an unknown or retired code: validate against today's list). */
export function findMunicipality(nis: string): Municipality | undefined {
  return byCode.get(nis)
}

/** The codes whose locations count for a municipality: its own and those it took over (a location always carries the current code, but an import or a restore might not). */
export function codesOf(nis: string): string[] {
  const m = byCode.get(nis)
  return m ? [m.nis, ...m.formerly.map((f) => f.nis)] : []
}

/**
 * The region's locations in a municipality (its merged old codes included), as a subquery
 * for `location_id in (…)`. The dashboard and the planning page both narrow to a
 * municipality through it, so that the same municipality sums the same poster-grain rows
 * and key sums on both pages and publishes the same numbers.
 */
export function locationsInMunicipality(regionId: number, nis: string) {
  return (eb: ExpressionBuilder<any, any>) => eb.selectFrom('locations').select('locations.id').where('locations.region_id', '=', regionId).where('locations.municipality_nis', 'in', codesOf(nis))
}

/**
 * A name as people type it, reduced to compare: case and accents dropped, hyphens, dots and
 * apostrophes as spaces, and "Sint", "Saint", "Sainte", "St." and "Ste." as one word, so that
 * "St.-Truiden", "Sint Truiden" and "sint-truiden" are the same.
 */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[-.'’,()/]+/g, ' ')
    .replace(/\b(sint|saint|sainte|st|ste)\b/g, 'st')
    .replace(/\s+/g, ' ')
    .trim()
}

const byName = new Map<string, string>()
const byPostalCode = new Map<string, string>()
for (const m of municipalities) {
  byName.set(normalizeName(m.name), m.nis)
  if (m.nameFr) byName.set(normalizeName(m.nameFr), m.nis)
  for (const code of m.postalCodes) byPostalCode.set(code, m.nis)
}
// An old name of a merged municipality finds the new one, unless a current municipality has that name (Tielt, Hasselt).
for (const m of municipalities) for (const old of m.formerly) if (!byName.has(normalizeName(old.name))) byName.set(normalizeName(old.name), m.nis)

/** A Belgian postal code in a text: four digits, not part of a longer number. */
const postalCode = /(?<!\d)[1-9]\d{3}(?!\d)/g

/** The code of the municipality a text names, a postal code typed beside the name left out ("3700 Tongeren"). */
function codeOfName(text: string): string | undefined {
  const name = normalizeName(text.replace(postalCode, ' '))
  return name === '' ? undefined : byName.get(name)
}

/** The code of the first postal code in the texts that the list knows. */
function codeOfPostalCode(...texts: string[]): string | undefined {
  for (const text of texts) for (const [code] of text.matchAll(postalCode)) if (byPostalCode.has(code)) return byPostalCode.get(code)
  return undefined
}

/**
 * The current code for a free-text municipality and address, or null: first the name
 * (without a postal code typed before or after it), then a postal code in the municipality
 * field, then one in the address. A name that is no municipality and a postal code the list
 * does not have give null: the location is then listed for the coordinator to choose.
 */
export function matchMunicipality(municipality: string | null | undefined, address?: string | null): string | null {
  const typed = municipality ?? ''
  return codeOfName(typed) ?? codeOfPostalCode(typed, address ?? '') ?? null
}

/**
 * The municipality an offer's free-text place names, or null: a comma-separated part that is
 * a municipality's name ("Dijk 111, 3700 Tongeren" → its "Tongeren"), else a postal code in
 * it. An offer has no location, only this text; a place that names no municipality ("Bib
 * Borgloon", "online") is in none, rather than guessed from a word inside a name.
 */
export function municipalityOfPlace(place: string | null | undefined): string | null {
  if (!place) return null
  for (const part of place.split(',')) {
    const found = codeOfName(part)
    if (found) return found
  }
  return codeOfPostalCode(place) ?? null
}

/** The municipality's name for a code (current or retired), for labels. */
export function municipalityName(nis: string): string | undefined {
  return byCode.get(currentCode(nis))?.name
}
