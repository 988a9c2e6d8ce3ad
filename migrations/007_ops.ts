import type { Kysely } from 'kysely'

/**
 * What several instances of Leervraag share besides the data: counters for limits (when
 * Redis is not used) and leases so that only one instance runs each scheduled job.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ops_counters')
    // An opaque key chosen by the caller: a limit's name and an HMAC, never an address.
    .addColumn('key', 'varchar(200)', (col) => col.notNull())
    // Start of the fixed window, in seconds since the Unix epoch.
    .addColumn('window_start', 'bigint', (col) => col.notNull())
    .addColumn('count', 'integer', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('ops_counters_pk', ['key', 'window_start'])
    .execute()
  await db.schema.createIndex('ops_counters_expires').on('ops_counters').columns(['expires_at']).execute()

  await db.schema
    .createTable('ops_job_leases')
    .addColumn('name', 'varchar(100)', (col) => col.primaryKey())
    .addColumn('holder', 'varchar(100)', (col) => col.notNull())
    .addColumn('acquired_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('expires_at', 'varchar(30)', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ops_job_leases').execute()
  await db.schema.dropTable('ops_counters').execute()
}
