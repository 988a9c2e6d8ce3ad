import { type Kysely, sql } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Accounts and access: users with one role each, the regions and partners they belong to,
 * single-use invitations (only a hash of the token is kept), server-side sessions (so that
 * several instances share them), login throttling counters, the audit log, and the themes
 * of an activity.
 */

export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(db)

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', id)
    // Stored lower-cased, so that "An@X.be" and "an@x.be" are one account.
    .addColumn('email', 'varchar(254)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('role', 'varchar(12)', (col) => col.notNull().check(sqlIn('role', ['admin', 'coordinator', 'partner', 'bridge'])))
    .addColumn('password_hash', 'varchar(300)', (col) => col.notNull())
    .addColumn('disabled_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('last_login_at', 'varchar(30)')
    .execute()

  await db.schema
    .createTable('user_regions')
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_regions_pk', ['user_id', 'region_id'])
    .execute()
  await db.schema.createIndex('user_regions_region').on('user_regions').columns(['region_id']).execute()

  await db.schema
    .createTable('user_partners')
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (col) => col.notNull().references('partners.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_partners_pk', ['user_id', 'partner_id'])
    .execute()
  await db.schema.createIndex('user_partners_partner').on('user_partners').columns(['partner_id']).execute()

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'integer', id)
    // sha256 of the token in hex: the link itself is never stored.
    .addColumn('token_hash', 'varchar(64)', (col) => col.notNull().unique())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('role', 'varchar(12)', (col) => col.notNull().check(sqlIn('role', ['admin', 'coordinator', 'partner', 'bridge'])))
    .addColumn('region_id', 'integer', (col) => col.references('regions.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('cascade'))
    .addColumn('invited_by', 'integer', (col) => col.references('users.id'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('expires_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('used_at', 'varchar(30)')
    .addColumn('user_id', 'integer', (col) => col.references('users.id'))
    .execute()
  await db.schema.createIndex('invitations_region').on('invitations').columns(['region_id']).execute()

  await db.schema
    .createTable('sessions')
    // sha256 of the cookie value: someone who reads the database cannot take over a session.
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('last_seen_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('expires_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute()

  await db.schema
    .createTable('login_throttle')
    // A keyed hash of "account:<email>" or "client:<address>": no address or e-mail in clear.
    .addColumn('key', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('first_failure_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('locked_until', 'varchar(30)')
    .execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', id)
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('user_id', 'integer', (col) => col.references('users.id'))
    .addColumn('action', 'varchar(40)', (col) => col.notNull())
    .addColumn('resource_type', 'varchar(20)')
    .addColumn('resource_id', 'integer')
    .addColumn('region_id', 'integer')
    .addColumn('detail', 'varchar(1000)')
    .execute()
  await db.schema.createIndex('audit_log_region_created').on('audit_log').columns(['region_id', 'created_at']).execute()
  await db.schema.createIndex('audit_log_created').on('audit_log').columns(['created_at']).execute()

  await db.schema
    .createTable('activity_themes')
    .addColumn('activity_id', 'integer', (col) => col.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('theme_id', 'integer', (col) => col.notNull().references('themes.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('activity_themes_pk', ['activity_id', 'theme_id'])
    .execute()
}

/** A check constraint `column in ('a', 'b')`; column and values are constants of this file, never input. */
function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(', ')})`)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['activity_themes', 'audit_log', 'login_throttle', 'sessions', 'invitations', 'user_partners', 'user_regions', 'users']) {
    await db.schema.dropTable(table).execute()
  }
}
