import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Database } from '../db/types.ts'
import { translator, type Language, isLanguage } from '../i18n/i18n.ts'

/**
 * Choosing activities the KLOOZ way (issue 18): a region's own criteria, each with a weight
 * 0 … 10; panel members score each proposal per criterion 1 … 5; a proposal's score is the
 * weighted mean, over the criteria, of the panel's mean score on each. It is computed when
 * read, from the current weights, so changing a weight re-ranks every open proposal at once.
 * Weights and scores are written as history rows and never overwritten.
 */

const minWeight = 0
const maxWeight = 10
const minScore = 1
const maxScore = 5

/** The Borgloon examples, as a region's first list (labels in the region's language; the coordinator edits them). */
const seedCriteria = [
  ['admin.criteria.seed.need', 5],
  ['admin.criteria.seed.reach', 4],
  ['admin.criteria.seed.strength', 3],
  ['admin.criteria.seed.policy', 2],
  ['admin.criteria.seed.threshold', 3],
  ['admin.criteria.seed.path', 2],
] as const

const weight = z
  .string('admin.criteria.weight.invalid')
  .trim()
  .regex(/^\d{1,2}$/, 'admin.criteria.weight.invalid')
  .transform(Number)
  .refine((value) => value >= minWeight && value <= maxWeight, 'admin.criteria.weight.invalid')

export const criterionBody = z.object({
  label: z.string('admin.error.required').trim().min(1, 'admin.error.required').max(200, 'admin.error.too_long'),
  weight,
})

export const weightSchema = weight

export const scoreSchema = z
  .string('admin.proposal.score.invalid')
  .trim()
  .regex(/^\d$/, 'admin.proposal.score.invalid')
  .transform(Number)
  .refine((value) => value >= minScore && value <= maxScore, 'admin.proposal.score.invalid')

export const noteSchema = z
  .string()
  .max(500, 'admin.error.too_long')
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : null))

export interface Criterion {
  id: number
  label: string
  weight: number
  position: number
}

/** The region's current criteria; the first time anyone opens them, the six examples are written. */
export async function regionCriteria(db: Kysely<Database>, regionId: number): Promise<Criterion[]> {
  const any = await db.selectFrom('selection_criteria').select('id').where('region_id', '=', regionId).limit(1).executeTakeFirst()
  if (any === undefined) await seedRegionCriteria(db, regionId)
  return db
    .selectFrom('selection_criteria')
    .select(['id', 'label', 'weight', 'position'])
    .where('region_id', '=', regionId)
    .where('retired_at', 'is', null)
    .orderBy('position')
    .orderBy('id')
    .execute()
}

async function seedRegionCriteria(db: Kysely<Database>, regionId: number): Promise<void> {
  const region = await db.selectFrom('regions').select('default_language').where('id', '=', regionId).executeTakeFirstOrThrow()
  const lang: Language = isLanguage(region.default_language) ? region.default_language : 'nl'
  const t = translator(lang)
  const now = new Date().toISOString()
  await db.transaction().execute(async (trx) => {
    // Two first visits at once must not seed twice: the second finds the rows and stops.
    const again = await trx.selectFrom('selection_criteria').select('id').where('region_id', '=', regionId).limit(1).executeTakeFirst()
    if (again !== undefined) return
    for (const [index, [key, value]] of seedCriteria.entries()) {
      const { id } = await trx
        .insertInto('selection_criteria')
        .values({ region_id: regionId, label: t(key), weight: value, position: index + 1, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
      await trx.insertInto('selection_criterion_weights').values({ criterion_id: id, weight: value, set_by: null, set_at: now }).execute()
    }
  })
}

export async function addCriterion(db: Kysely<Database>, regionId: number, label: string, value: number, userId: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    const last = await trx.selectFrom('selection_criteria').select((eb) => eb.fn.max('position').as('p')).where('region_id', '=', regionId).executeTakeFirst()
    const { id } = await trx
      .insertInto('selection_criteria')
      .values({ region_id: regionId, label, weight: value, position: Number(last?.p ?? 0) + 1, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx.insertInto('selection_criterion_weights').values({ criterion_id: id, weight: value, set_by: userId, set_at: now }).execute()
    return id
  })
}

/** Sets the weights that changed (each change a history row); ids outside the region's current criteria are ignored by the caller's check. */
export async function setWeights(db: Kysely<Database>, regionId: number, weights: ReadonlyMap<number, number>, userId: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    const current = await trx.selectFrom('selection_criteria').select(['id', 'weight']).where('region_id', '=', regionId).where('retired_at', 'is', null).execute()
    let changed = 0
    for (const criterion of current) {
      const next = weights.get(criterion.id)
      if (next === undefined || next === criterion.weight) continue
      await trx.updateTable('selection_criteria').set({ weight: next }).where('id', '=', criterion.id).execute()
      await trx.insertInto('selection_criterion_weights').values({ criterion_id: criterion.id, weight: next, set_by: userId, set_at: now }).execute()
      changed++
    }
    return changed
  })
}

export async function retireCriterion(db: Kysely<Database>, regionId: number, criterionId: number): Promise<boolean> {
  const result = await db
    .updateTable('selection_criteria')
    .set({ retired_at: new Date().toISOString() })
    .where('id', '=', criterionId)
    .where('region_id', '=', regionId)
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The last weight changes of the region's criteria, newest first. */
export function weightHistory(db: Kysely<Database>, regionId: number, limit = 30) {
  return db
    .selectFrom('selection_criterion_weights')
    .innerJoin('selection_criteria', 'selection_criteria.id', 'selection_criterion_weights.criterion_id')
    .leftJoin('users', 'users.id', 'selection_criterion_weights.set_by')
    .select(['selection_criteria.label', 'selection_criterion_weights.weight', 'selection_criterion_weights.set_at', 'users.name as set_by_name'])
    .where('selection_criteria.region_id', '=', regionId)
    .orderBy('selection_criterion_weights.id', 'desc')
    .limit(limit)
    .execute()
}

// ——— The panel ———

export async function isOnPanel(db: Kysely<Database>, regionId: number, userId: number): Promise<boolean> {
  return (await db.selectFrom('scoring_panel').select('user_id').where('region_id', '=', regionId).where('user_id', '=', userId).executeTakeFirst()) !== undefined
}

export function panelMembers(db: Kysely<Database>, regionId: number) {
  return db
    .selectFrom('scoring_panel')
    .innerJoin('users', 'users.id', 'scoring_panel.user_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role'])
    .where('scoring_panel.region_id', '=', regionId)
    .orderBy('users.name')
    .execute()
}

export async function addPanelMember(db: Kysely<Database>, regionId: number, userId: number, addedBy: number): Promise<void> {
  await db
    .insertInto('scoring_panel')
    .values({ region_id: regionId, user_id: userId, added_by: addedBy, added_at: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['region_id', 'user_id']).doNothing())
    .execute()
}

export async function removePanelMember(db: Kysely<Database>, regionId: number, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('scoring_panel').where('region_id', '=', regionId).where('user_id', '=', userId).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

// ——— Proposals and scores ———

export function listProposals(db: Kysely<Database>, regionId: number) {
  return db
    .selectFrom('activities')
    .innerJoin('partners', 'partners.id', 'activities.partner_id')
    .select(['activities.id', 'activities.title', 'activities.description', 'activities.partner_id', 'activities.starts_on', 'activities.ends_on', 'partners.name as partner_name'])
    .where('activities.region_id', '=', regionId)
    .where('activities.state', '=', 'proposed')
    .orderBy('activities.id')
    .execute()
}

export interface LatestScore {
  activityId: number
  criterionId: number
  userId: number
  score: number
  note: string | null
}

/** Each panel member's latest score per proposal and criterion (older rows are history). */
export async function latestScores(db: Kysely<Database>, activityIds: readonly number[]): Promise<LatestScore[]> {
  if (activityIds.length === 0) return []
  const rows = await db
    .selectFrom('proposal_scores')
    .select(['activity_id', 'criterion_id', 'user_id', 'score', 'note'])
    .where('activity_id', 'in', [...activityIds])
    .orderBy('id')
    .execute()
  const latest = new Map<string, LatestScore>()
  for (const row of rows) {
    latest.set(`${row.activity_id}:${row.criterion_id}:${row.user_id}`, { activityId: row.activity_id, criterionId: row.criterion_id, userId: row.user_id, score: row.score, note: row.note })
  }
  return [...latest.values()]
}

export async function storeScores(db: Kysely<Database>, activityId: number, userId: number, scores: readonly { criterionId: number; score: number; note: string | null }[]): Promise<void> {
  if (scores.length === 0) return
  const now = new Date().toISOString()
  await db
    .insertInto('proposal_scores')
    .values(scores.map((s) => ({ activity_id: activityId, criterion_id: s.criterionId, user_id: userId, score: s.score, note: s.note, scored_at: now })))
    .execute()
}

export async function acceptProposal(db: Kysely<Database>, regionId: number, activityId: number): Promise<boolean> {
  const result = await db.updateTable('activities').set({ state: 'planned' }).where('id', '=', activityId).where('region_id', '=', regionId).where('state', '=', 'proposed').executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * A proposal's score: for each criterion with a weight above 0, the mean of the panel
 * members' scores on it; then the mean of those, weighted by the criteria's weights. Only
 * current panel members count (someone who left the panel no longer weighs in). Null
 * while nobody has scored it.
 */
export function proposalScore(criteria: readonly Pick<Criterion, 'id' | 'weight'>[], scores: readonly Pick<LatestScore, 'criterionId' | 'userId' | 'score'>[], panel: ReadonlySet<number>): { score: number | null; members: number } {
  let weighted = 0
  let weights = 0
  const members = new Set<number>()
  for (const criterion of criteria) {
    const on = scores.filter((s) => s.criterionId === criterion.id && panel.has(s.userId))
    for (const s of on) members.add(s.userId)
    if (criterion.weight <= 0 || on.length === 0) continue
    weighted += criterion.weight * (on.reduce((sum, s) => sum + s.score, 0) / on.length)
    weights += criterion.weight
  }
  return { score: weights > 0 ? weighted / weights : null, members: members.size }
}
