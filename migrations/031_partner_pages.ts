import type { Kysely } from 'kysely'

/**
 * A partner's own page (issue 19): which partner gives an offer (so that the partner sees
 * the referrals to its offers), and share links that open one partner's page rather than
 * the region's. Both are optional: an offer of no partner in particular, a region's link.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('offers').addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('set null')).execute()
  await db.schema.createIndex('offers_partner').on('offers').columns(['partner_id']).execute()
  await db.schema.alterTable('share_links').addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('cascade')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('share_links').dropColumn('partner_id').execute()
  await db.schema.dropIndex('offers_partner').execute()
  await db.schema.alterTable('offers').dropColumn('partner_id').execute()
}
