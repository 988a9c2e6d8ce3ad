import { type Kysely, sql } from 'kysely'
import { migrationsCurrent } from '../db/migrate.ts'

export interface Readiness {
  ready: boolean
  database: 'ok' | 'unreachable'
  migrations: 'current' | 'pending' | 'unknown'
}

/**
 * Answers "can this instance serve traffic?" for a load balancer that asks every few
 * seconds. The database gets a trivial query each time, bounded by a timeout so that a
 * database that does not answer makes the probe fail instead of hang. The migrations check
 * reads the migrations folder and the bookkeeping table, so its answer is kept: a current
 * schema for a minute (it only changes when someone runs a migration), a pending one for
 * a few seconds (so the instance turns ready soon after `npm run migrate`).
 */
export class ReadinessCheck {
  private migrations: { current: boolean; until: number } | undefined

  constructor(
    private readonly db: Kysely<any>,
    private readonly timeoutMs = 2_000,
    private readonly now = () => Date.now(),
  ) {}

  async check(): Promise<Readiness> {
    try {
      await withTimeout(sql`select 1`.execute(this.db), this.timeoutMs)
    } catch {
      return { ready: false, database: 'unreachable', migrations: 'unknown' }
    }
    const current = await this.migrationsCurrent()
    if (current === undefined) return { ready: false, database: 'unreachable', migrations: 'unknown' }
    return { ready: current, database: 'ok', migrations: current ? 'current' : 'pending' }
  }

  private async migrationsCurrent(): Promise<boolean | undefined> {
    const now = this.now()
    if (this.migrations !== undefined && this.migrations.until > now) return this.migrations.current
    let current: boolean
    try {
      current = await withTimeout(migrationsCurrent(this.db), this.timeoutMs)
    } catch {
      return undefined
    }
    this.migrations = { current, until: now + (current ? 60_000 : 5_000) }
    return current
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
