import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'

export interface AuditEvent {
  userId: number | null
  /** e.g. `login.success`, `login.failure`, `access.denied`, `partner.create`, `poster.status`. */
  action: string
  resourceType?: string
  resourceId?: number | null
  regionId?: number | null
  /**
   * A few facts for a reader (changed field names, a title, a new status). Never a
   * password, a token, an address or anything a citizen wrote.
   */
  detail?: Record<string, string | number | boolean | null | string[] | number[]>
}

export async function audit(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  const detail = event.detail === undefined ? null : JSON.stringify(event.detail).slice(0, 1000)
  await db
    .insertInto('audit_log')
    .values({
      created_at: new Date().toISOString(),
      user_id: event.userId,
      action: event.action,
      resource_type: event.resourceType ?? null,
      resource_id: event.resourceId ?? null,
      region_id: event.regionId ?? null,
      detail,
    })
    .execute()
}

export interface AuditRow {
  id: number
  created_at: string
  action: string
  resource_type: string | null
  resource_id: number | null
  region_id: number | null
  detail: string | null
  email: string | null
}

/**
 * The newest entries first; regionIds 'all' for admins. For a coordinator: the entries of
 * their regions, plus the entries without a region (sign-ins, refusals) of the people who
 * work in those regions (`people`).
 */
export function listAudit(db: Kysely<Database>, regionIds: number[] | 'all', limit = 200, people: number[] = []): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.user_id')
    .select([
      'audit_log.id',
      'audit_log.created_at',
      'audit_log.action',
      'audit_log.resource_type',
      'audit_log.resource_id',
      'audit_log.region_id',
      'audit_log.detail',
      'users.email',
    ])
  if (regionIds !== 'all') {
    query =
      regionIds.length === 0
        ? query.where('audit_log.id', '<', 0)
        : query.where((eb) =>
            eb.or([
              eb('audit_log.region_id', 'in', regionIds),
              ...(people.length > 0 ? [eb.and([eb('audit_log.region_id', 'is', null), eb('audit_log.user_id', 'in', people)])] : []),
            ]),
          )
  }
  return query.orderBy('audit_log.id', 'desc').limit(limit).execute()
}
