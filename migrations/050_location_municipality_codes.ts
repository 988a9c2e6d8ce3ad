import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'

/**
 * A location's municipality becomes a code from the shipped list (issue 18): the Statbel
 * (REFNIS) code of 1 January 2025, in `municipality_nis`, a plain column the app validates
 * against the list (a foreign key would need the list as a table in every database, and the
 * list changes only with a release). The free text stays beside it: it is what people typed,
 * and what the coordinator sees when it did not match.
 *
 * The existing free texts are matched here, once: the name as typed (case, accents, hyphens,
 * "Sint" or "St."), an old name of a municipality merged in 2025 (Borgloon → Tongeren-Borgloon),
 * then a postal code in the municipality or the address. What does not match stays null and is
 * listed on the locations page. The list it matches with is a frozen copy beside it
 * (050_municipalities.json), not the app's data file, and the normalisation repeats that of
 * src/municipalities/index.ts: migrations import nothing from src/, and a migration must do
 * what it did when it was applied. A later list reaches a location when it is saved again.
 */

interface Entry {
  nis: string
  name: string
  nameFr?: string
  postalCodes: string[]
  formerly: { nis: string; name: string }[]
}

function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[-.'’,()/]+/g, ' ')
    .replace(/\b(sint|saint|sainte|st|ste)\b/g, 'st')
    .replace(/\s+/g, ' ')
    .trim()
}

function matcher(): (municipality: string | null, address: string | null) => string | null {
  const list = (JSON.parse(readFileSync(join(import.meta.dirname, '050_municipalities.json'), 'utf8')) as { municipalities: Entry[] }).municipalities
  const byName = new Map<string, string>()
  const byPostalCode = new Map<string, string>()
  for (const m of list) {
    byName.set(normalize(m.name), m.nis)
    if (m.nameFr) byName.set(normalize(m.nameFr), m.nis)
    for (const code of m.postalCodes) byPostalCode.set(code, m.nis)
  }
  for (const m of list) for (const old of m.formerly) if (!byName.has(normalize(old.name))) byName.set(normalize(old.name), m.nis)
  const codes = (text: string) => [...text.matchAll(/(?<!\d)([1-9]\d{3})(?!\d)/g)].map((match) => match[1]!)
  return (municipality, address) => {
    const typed = municipality ?? ''
    const name = normalize(typed.replace(/(?<!\d)[1-9]\d{3}(?!\d)/g, ' '))
    if (name !== '' && byName.has(name)) return byName.get(name)!
    for (const code of [...codes(typed), ...codes(address ?? '')]) if (byPostalCode.has(code)) return byPostalCode.get(code)!
    return null
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('locations').addColumn('municipality_nis', 'varchar(5)').execute()
  // The dashboard's municipality filter reads a region's locations of one municipality.
  await db.schema.createIndex('locations_region_municipality').on('locations').columns(['region_id', 'municipality_nis']).execute()
  const match = matcher()
  const rows = await db.selectFrom('locations').select(['id', 'municipality', 'address']).execute()
  for (const row of rows) {
    const nis = match(row.municipality as string | null, row.address as string | null)
    if (nis !== null) await db.updateTable('locations').set({ municipality_nis: nis }).where('id', '=', row.id).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('locations_region_municipality').execute()
  await db.schema.alterTable('locations').dropColumn('municipality_nis').execute()
}
