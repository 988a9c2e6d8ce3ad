import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Choosing activities the KLOOZ way (issue 18): a region's own weighted criteria, a scoring
 * panel, and scores per proposal, criterion and panel member.
 *
 * - `activities.state`: 'planned' (every activity so far) or 'proposed' (a partner's
 *   proposal, which gets no posters until a coordinator accepts it).
 * - Weights and scores are kept as history, never overwritten: the source text stresses
 *   that the criteria are revisited, so the region can see what the panel decided on which
 *   weights. The current weight is also on the criterion row (what the ranking reads);
 *   the current score of a member is their latest row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').addColumn('state', 'varchar(16)', (col) => col.notNull().defaultTo('planned')).execute()
  await db.schema.createIndex('activities_region_state').on('activities').columns(['region_id', 'state']).execute()

  await db.schema
    .createTable('selection_criteria')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('label', 'varchar(200)', (col) => col.notNull())
    .addColumn('weight', 'integer', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('retired_at', 'varchar(30)')
    .execute()
  await db.schema.createIndex('selection_criteria_region').on('selection_criteria').columns(['region_id', 'position']).execute()

  await db.schema
    .createTable('selection_criterion_weights')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('criterion_id', 'integer', (col) => col.notNull().references('selection_criteria.id').onDelete('cascade'))
    .addColumn('weight', 'integer', (col) => col.notNull())
    .addColumn('set_by', 'integer', (col) => col.references('users.id'))
    .addColumn('set_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('selection_criterion_weights_criterion').on('selection_criterion_weights').columns(['criterion_id', 'set_at']).execute()

  await db.schema
    .createTable('scoring_panel')
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_by', 'integer', (col) => col.references('users.id'))
    .addColumn('added_at', 'varchar(30)', (col) => col.notNull())
    .addPrimaryKeyConstraint('scoring_panel_pk', ['region_id', 'user_id'])
    .execute()

  await db.schema
    .createTable('proposal_scores')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('activity_id', 'integer', (col) => col.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('criterion_id', 'integer', (col) => col.notNull().references('selection_criteria.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('score', 'integer', (col) => col.notNull())
    .addColumn('note', 'varchar(500)')
    .addColumn('scored_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('proposal_scores_activity').on('proposal_scores').columns(['activity_id', 'criterion_id', 'user_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('proposal_scores').execute()
  await db.schema.dropTable('scoring_panel').execute()
  await db.schema.dropTable('selection_criterion_weights').execute()
  await db.schema.dropTable('selection_criteria').execute()
  await db.schema.dropIndex('activities_region_state').execute()
  await db.schema.alterTable('activities').dropColumn('state').execute()
}
