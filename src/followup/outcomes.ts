import type { Kysely } from 'kysely'
import { cellKey, publish } from '../answers/cell-key.ts'
import type { Database } from '../db/types.ts'

/**
 * What became of the follow-up, in counts: the steps of learning paths per kind, and the
 * paths that reached a next step, for a range of days. Both are about people, so both are
 * published through the cell-key table. The monthly digest (src/digest) and the report's
 * second page (src/dashboard) publish them from here, so the same steps publish the same
 * numbers in both.
 */

export type OutcomeKind = 'conversation' | 'referral' | 'trial' | 'started' | 'completed' | 'stopped'
export const outcomeKinds: readonly OutcomeKind[] = ['conversation', 'referral', 'trial', 'started', 'completed', 'stopped']

/** The step kinds that make "a next step": the person went beyond talking and being referred. */
export const nextStepKinds = ['trial', 'started', 'completed'] as const satisfies readonly OutcomeKind[]

export interface DayRange {
  from: string
  to: string
}

/** The region's path steps dated (`on_day`) in `range`, per kind, each published over its steps' record keys. */
export async function pathStepCounts(db: Kysely<Database>, regionId: number, range: DayRange): Promise<Record<OutcomeKind, number>> {
  const steps = await db
    .selectFrom('path_steps')
    .innerJoin('contact_requests', 'contact_requests.id', 'path_steps.contact_request_id')
    .select((eb) => ['path_steps.kind', eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string>('path_steps.record_key').as('keys')])
    .where('contact_requests.region_id', '=', regionId)
    .where('path_steps.on_day', '>=', range.from)
    .where('path_steps.on_day', '<=', range.to)
    .groupBy('path_steps.kind')
    .execute()
  const outcomes = Object.fromEntries(outcomeKinds.map((kind) => [kind, 0])) as Record<OutcomeKind, number>
  for (const row of steps) {
    if (row.kind in outcomes) outcomes[row.kind as OutcomeKind] = publish(Number(row.n), cellKey(row.keys))
  }
  return outcomes
}

/**
 * Paths that reached a next step in `range`: contact requests of the region with at least
 * one step of kind trial session, started a course or completed dated (`on_day`) in the
 * range, each path counted once however many such steps it has. A partner's count keeps
 * only the paths whose answer was given at the partner's posters.
 *
 * The count is about people, so it is published through the cell-key table like every
 * other count. Its records are paths, and a path's record key is the key of the answer it
 * began with (as the planning page counts open contact requests): it never changes, so the
 * same paths publish the same number in every month, page, PDF, feed and e-mail, and a
 * step added or back-dated without changing which paths count does not move the figure.
 */
export async function pathsNextStep(db: Kysely<Database>, input: { regionId: number; partnerId?: number; range: DayRange }): Promise<number> {
  let query = db
    .selectFrom('contact_requests')
    .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('responses.record_key').as('keys')])
    .where('contact_requests.region_id', '=', input.regionId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('path_steps')
          .select('path_steps.id')
          .whereRef('path_steps.contact_request_id', '=', 'contact_requests.id')
          .where('path_steps.kind', 'in', nextStepKinds)
          .where('path_steps.on_day', '>=', input.range.from)
          .where('path_steps.on_day', '<=', input.range.to),
      ),
    )
  if (input.partnerId !== undefined) query = query.where('responses.partner_id', '=', input.partnerId)
  const row = await query.executeTakeFirstOrThrow()
  return publish(Number(row.n), cellKey(row.keys))
}
