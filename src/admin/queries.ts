import type { Kysely } from 'kysely'
import type { Audience, Database } from '../db/types.ts'
import { seedDefaultThemes } from '../themes/queries.ts'

const now = () => new Date().toISOString()

export interface NewRegionInput {
  slug: string
  name: string
  defaultLanguage?: string
  contactLine?: string | null
}

/** A region starts with the default learning themes, which its coordinator can then edit. */
export async function createRegion(db: Kysely<Database>, input: NewRegionInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('regions')
      .values({
        slug: input.slug,
        name: input.name,
        default_language: input.defaultLanguage ?? 'nl',
        contact_line: input.contactLine ?? null,
        created_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await seedDefaultThemes(trx, id)
    return id
  })
}

export async function createPartner(db: Kysely<Database>, regionId: number, name: string, kind = 'other'): Promise<number> {
  const row = await db.insertInto('partners').values({ region_id: regionId, name, kind, created_at: now() }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export interface NewLocationInput {
  name: string
  address?: string | null
  municipality?: string | null
  latitude?: number | null
  longitude?: number | null
}

export async function createLocation(db: Kysely<Database>, regionId: number, input: NewLocationInput): Promise<number> {
  const row = await db
    .insertInto('locations')
    .values({
      region_id: regionId,
      name: input.name,
      address: input.address ?? null,
      municipality: input.municipality ?? null,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export interface NewActivityInput {
  partnerId: number
  title: string
  description?: string | null
  audience?: Audience
  startsOn?: string | null
  endsOn?: string | null
}

/** The activity takes its region from its partner, so the two can never disagree. */
export async function createActivity(db: Kysely<Database>, input: NewActivityInput): Promise<number> {
  const partner = await db.selectFrom('partners').select('region_id').where('id', '=', input.partnerId).executeTakeFirstOrThrow()
  const row = await db
    .insertInto('activities')
    .values({
      region_id: partner.region_id,
      partner_id: input.partnerId,
      title: input.title,
      description: input.description ?? null,
      audience: input.audience ?? 'all',
      starts_on: input.startsOn ?? null,
      ends_on: input.endsOn ?? null,
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
