import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { themeLabel } from '../themes/index.ts'

export interface RegionUpdate {
  id: number
  body: string
  createdAt: string
  theme: string | null
  hidden: boolean
}

/** A region's updates, newest first; the public page asks for the visible ones only. */
export async function listRegionUpdates(db: Kysely<Database>, regionId: number, language: string, options: { includeHidden?: boolean } = {}): Promise<RegionUpdate[]> {
  let query = db
    .selectFrom('region_updates')
    .leftJoin('themes', 'themes.id', 'region_updates.theme_id')
    .select(['region_updates.id', 'region_updates.body', 'region_updates.created_at', 'region_updates.hidden_at', 'themes.labels'])
    .where('region_updates.region_id', '=', regionId)
  if (!options.includeHidden) query = query.where('region_updates.hidden_at', 'is', null)
  const rows = await query.orderBy('region_updates.created_at', 'desc').orderBy('region_updates.id', 'desc').limit(200).execute()
  return rows.map((row) => ({
    id: row.id,
    body: row.body,
    createdAt: row.created_at,
    theme: row.labels ? themeLabel({ labels: row.labels }, language) : null,
    hidden: row.hidden_at !== null,
  }))
}

export async function addRegionUpdate(db: Kysely<Database>, update: { regionId: number; themeId: number | null; body: string; userId: number }, now = new Date()): Promise<number> {
  const row = await db
    .insertInto('region_updates')
    .values({ region_id: update.regionId, theme_id: update.themeId, body: update.body, created_by: update.userId, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Hides or shows one of the region's updates; false when the region has no such update. */
export async function setRegionUpdateHidden(db: Kysely<Database>, regionId: number, updateId: number, hidden: boolean, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('region_updates')
    .set({ hidden_at: hidden ? now.toISOString() : null })
    .where('id', '=', updateId)
    .where('region_id', '=', regionId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Whether the region's public page has anything to show (the thank-you page links to it only then). */
export async function hasPublicUpdates(db: Kysely<Database>, regionId: number): Promise<boolean> {
  const row = await db.selectFrom('region_updates').select('id').where('region_id', '=', regionId).where('hidden_at', 'is', null).limit(1).executeTakeFirst()
  return row !== undefined
}

/** The public page's address (`/regio/:slug`), only when it has updates to show. */
export async function publicUpdatesPath(db: Kysely<Database>, regionId: number, language: string): Promise<string | undefined> {
  if (!(await hasPublicUpdates(db, regionId))) return undefined
  const region = await db.selectFrom('regions').select('slug').where('id', '=', regionId).executeTakeFirst()
  return region ? `/regio/${encodeURIComponent(region.slug)}?lang=${encodeURIComponent(language)}` : undefined
}
