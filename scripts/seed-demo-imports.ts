import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../src/db/types.ts'
import { importFile } from '../src/imports/file.ts'

/**
 * The demo's imported activities and offers (issue 18): scripts/demo-uitdatabank.json, an
 * UiTdatabank Search API v3 result written after publiq's documented format, imported into
 * Zuid-Limburg as a coordinator would upload it. What a coordinator confirmed before (the
 * organizers that are demo partners, the two theme terms) is set first; the orchard is a new
 * place, so its event waits on the confirmation page, and the cancelled concert is skipped.
 *
 * The file's dates are anchored on 1 December 2026 and moved to the demo's "now", so the
 * events stay in the planning page's coming three months. Idempotent: a second run reports
 * every event unchanged.
 */

const anchor = Date.parse('2026-12-01T00:00:00Z')
const organizers: Record<string, string> = {
  'https://io.uitdatabank.be/organizers/5d1e7a10-demo-org-bib-tongeren': 'Bibliotheek Tongeren',
  'https://io.uitdatabank.be/organizers/5d1e7a10-demo-org-cc-tongeren': 'Cultuurcentrum Tongeren',
  'https://io.uitdatabank.be/organizers/5d1e7a10-demo-org-cvo': 'CVO Haspengouw',
  'https://io.uitdatabank.be/organizers/5d1e7a10-demo-org-vanhees': 'Fruitbedrijf Vanhees',
}
const terms: Record<string, [string, string]> = {
  '1.64.0.0.0': ['Natuur en milieu', 'natuur-tuin'],
  '1.65.0.0.0': ['Digitale media', 'digitaal'],
  '1.43.0.0.0': ['Taal en communicatie', 'talen'],
}

export async function seedDemoImports(db: Kysely<Database>, options: { now?: Date } = {}) {
  const now = options.now ?? new Date()
  const region = await db.selectFrom('regions').select('id').where('slug', '=', 'zuid-limburg').executeTakeFirst()
  if (!region) return null
  const partners = new Map((await db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', region.id).execute()).map((p) => [p.name, p.id]))
  const themes = new Map((await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', region.id).execute()).map((t) => [t.slug, t.id]))
  const at = now.toISOString()
  for (const [externalId, name] of Object.entries(organizers)) {
    const known = await db.selectFrom('import_organizers').select('id').where('region_id', '=', region.id).where('external_id', '=', externalId).executeTakeFirst()
    if (!known) await db.insertInto('import_organizers').values({ region_id: region.id, external_id: externalId, name, partner_id: partners.get(name) ?? null, created_at: at }).execute()
  }
  for (const [termId, [label, slug]] of Object.entries(terms)) {
    const known = await db.selectFrom('import_terms').select('id').where('region_id', '=', region.id).where('term_id', '=', termId).executeTakeFirst()
    if (!known) await db.insertInto('import_terms').values({ region_id: region.id, term_id: termId, label, theme_id: themes.get(slug) ?? null }).execute()
  }
  // Whole days, so the local times in the file stay as written.
  const shift = Math.round((now.getTime() - anchor) / 86_400_000) * 86_400_000
  const text = readFileSync(join(import.meta.dirname, 'demo-uitdatabank.json'), 'utf8').replace(/"(startDate|endDate)": "([^"]+)"/g, (_m, key: string, value: string) => {
    const moved = new Date(Date.parse(value) + shift)
    const offset = value.slice(19)
    return `"${key}": "${new Date(moved.getTime() + offsetMinutes(offset) * 60_000).toISOString().slice(0, 19)}${offset}"`
  })
  return importFile(db, Buffer.from(text), { regionId: region.id, fileName: 'demo-uitdatabank.json', now: () => now })
}

function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset)
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0
}
