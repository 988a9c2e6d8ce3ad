import { type Kysely, PostgresAdapter } from 'kysely'
import type { Database, Role, User } from '../db/types.ts'
import { inScope } from './permissions.ts'

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst()
}

export interface NewUser {
  email: string
  name: string
  role: Role
  passwordHash: string
  regionIds?: number[]
  partnerIds?: number[]
}

export async function createUser(db: Kysely<Database>, input: NewUser): Promise<number> {
  const { id } = await db
    .insertInto('users')
    .values({
      email: normalizeEmail(input.email),
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash,
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (input.regionIds?.length) await db.insertInto('user_regions').values(input.regionIds.map((region_id) => ({ user_id: id, region_id }))).execute()
  if (input.partnerIds?.length) await db.insertInto('user_partners').values(input.partnerIds.map((partner_id) => ({ user_id: id, partner_id }))).execute()
  return id
}

export interface RegionUser {
  id: number
  email: string
  name: string
  role: Role
  disabled_at: string | null
  last_login_at: string | null
  partner_name: string | null
}

/**
 * The people who work in a region: its coordinators and bridge figures, and the members
 * of its partners. Found in SQL through the memberships, never by filtering a full list.
 */
export async function listRegionUsers(db: Kysely<Database>, regionId: number): Promise<RegionUser[]> {
  const viaRegion = await db
    .selectFrom('users')
    .innerJoin('user_regions', 'user_regions.user_id', 'users.id')
    .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.disabled_at', 'users.last_login_at'])
    .where('user_regions.region_id', '=', regionId)
    .execute()
  const viaPartner = await db
    .selectFrom('users')
    .innerJoin('user_partners', 'user_partners.user_id', 'users.id')
    .innerJoin('partners', 'partners.id', 'user_partners.partner_id')
    .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.disabled_at', 'users.last_login_at', 'partners.name as partner_name'])
    .where('partners.region_id', '=', regionId)
    .execute()
  return [...viaRegion.map((row) => ({ ...row, partner_name: null })), ...viaPartner].sort((a, b) => a.email.localeCompare(b.email))
}

/** A user of this region (through a region or partner membership), or undefined. */
export async function findRegionUser(db: Kysely<Database>, regionId: number, userId: number): Promise<RegionUser | undefined> {
  return (await listRegionUsers(db, regionId)).find((user) => user.id === userId)
}

export function listAdmins(db: Kysely<Database>) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'role', 'disabled_at', 'last_login_at']).where('role', '=', 'admin').orderBy('email').execute()
}

export type DisableResult = 'disabled' | 'last_admin'

/**
 * Disabling also ends every session of the account, so it loses access on its next request.
 * The last active administrator is never disabled: nobody could then invite or re-enable
 * anyone. On PostgreSQL the active administrators' rows are locked first, so that two
 * administrators disabling each other at the same moment cannot both succeed (the second
 * waits, then sees one administrator left); SQLite runs one write transaction at a time.
 */
export async function disableUser(db: Kysely<Database>, userId: number, now = new Date()): Promise<DisableResult> {
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst()
    if (target?.role === 'admin') {
      let activeAdmins = trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null)
      if (trx.getExecutor().adapter instanceof PostgresAdapter) activeAdmins = activeAdmins.forUpdate()
      const others = (await activeAdmins.execute()).filter((row) => row.id !== userId)
      if (others.length === 0) return 'last_admin'
    }
    await trx.updateTable('users').set({ disabled_at: now.toISOString() }).where('id', '=', userId).where('disabled_at', 'is', null).execute()
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute()
    return 'disabled'
  })
}

export async function enableUser(db: Kysely<Database>, userId: number): Promise<void> {
  await db.updateTable('users').set({ disabled_at: null }).where('id', '=', userId).execute()
}

/** Regions visible to a person (for the home page), filtered in SQL. */
export function listRegionsIn(db: Kysely<Database>, regionIds: number[] | 'all') {
  return db
    .selectFrom('regions')
    .select(['id', 'slug', 'name', 'default_language', 'min_cell_size', 'contact_line'])
    .where((eb) => inScope(eb, 'regions.id', regionIds))
    .orderBy('name')
    .execute()
}
