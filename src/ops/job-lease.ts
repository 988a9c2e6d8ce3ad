import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'

/**
 * Leases for scheduled jobs (retention, rollups): with several instances, each job must
 * run on one of them at a time. A lease is a row per job naming its holder and an expiry;
 * taking it is one upsert that succeeds only when the row is free, expired or already
 * ours — atomic on SQLite and PostgreSQL. An instance that dies keeps the lease only
 * until it expires, so the lease time must exceed the job's longest run (and the clock
 * difference between instances).
 */

/** Identifies this process among the instances (for the lease table and logs). */
export const instanceHolder = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`

export async function acquireLease(db: Kysely<Database>, name: string, holder: string, leaseMs: number, now = new Date()): Promise<boolean> {
  const nowIso = now.toISOString()
  const expires = new Date(now.getTime() + leaseMs).toISOString()
  const row = await db
    .insertInto('ops_job_leases')
    .values({ name, holder, acquired_at: nowIso, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), acquired_at: eb.ref('excluded.acquired_at'), expires_at: eb.ref('excluded.expires_at') }))
        .where((eb) => eb.or([eb('ops_job_leases.expires_at', '<=', nowIso), eb('ops_job_leases.holder', '=', holder)])),
    )
    .returning('holder')
    .executeTakeFirst()
  return row?.holder === holder
}

export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('ops_job_leases').where('name', '=', name).where('holder', '=', holder).execute()
}

/** What a run may ask of its lease: renewing it before each long step (false: it was lost, stop). */
export interface Lease {
  renew(): Promise<boolean>
}

/** Runs `job` if this holder gets the lease; another instance holding it means 'skipped'. */
export async function runExclusively(
  db: Kysely<Database>,
  name: string,
  holder: string,
  leaseMs: number,
  job: (lease: Lease) => Promise<void>,
): Promise<'ran' | 'skipped'> {
  if (!(await acquireLease(db, name, holder, leaseMs))) return 'skipped'
  try {
    await job({ renew: () => acquireLease(db, name, holder, leaseMs) })
  } finally {
    await releaseLease(db, name, holder)
  }
  return 'ran'
}

export interface ScheduledJob {
  name: string
  everyMs: number
  /** The first run, this long after the schedule starts (default: one interval). */
  firstRunAfterMs?: number
  /** How long the lease protects one run; longer than the slowest run, or renewed by the run. */
  leaseMs: number
  run: (app: FastifyInstance, lease: Lease) => Promise<void>
  /** Defaults to this process; two apps in one process (tests, app.ts per instance) pass their own. */
  holder?: string
}

/**
 * The house's one way to run a scheduled job (retention, the UiTdatabank fetch, the digest
 * mailing): a first run `firstRunAfterMs` after start, then every `everyMs`, each on
 * whichever instance takes the lease first. Runs never overlap: not in one process (a tick
 * during a run is skipped) and not across instances (the lease). The timers do not keep the
 * process alive; when the app closes no run starts and a run in progress is awaited, so it
 * finishes before the database closes. A failed run is logged and tried again at the next tick.
 */
export function scheduleJob(app: FastifyInstance, job: ScheduledJob): void {
  const holder = job.holder ?? instanceHolder
  let running: Promise<unknown> | undefined
  let closed = false
  const tick = () => {
    // The lease is ours while a run lasts, so only this flag stops a slow run from being joined by the next tick.
    if (running !== undefined || closed) return
    running = runExclusively(app.db, job.name, holder, job.leaseMs, (lease) => job.run(app, lease))
      .then(
        (outcome) => app.log.debug({ job: job.name, outcome }, 'scheduled job'),
        (error: unknown) => app.log.error({ err: error, job: job.name }, 'scheduled job failed'),
      )
      .finally(() => {
        running = undefined
      })
  }
  const first = setTimeout(tick, job.firstRunAfterMs ?? job.everyMs)
  first.unref()
  const timer = setInterval(tick, job.everyMs)
  timer.unref()
  app.addHook('onClose', async () => {
    closed = true
    clearTimeout(first)
    clearInterval(timer)
    await running
  })
}
