import { createHmac } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import type { Dialect } from '../db/database.ts'
import { type CounterStore, openCounterStore } from '../ops/counters.ts'

/**
 * Counters in this process's memory: exact for the embedded SQLite set-up, which runs one
 * instance. Several instances (PostgreSQL) share counters in the database or Redis (see
 * ops/counters.ts; `rateLimitStore` picks). Memory costs the answer route nothing, where
 * a database counter would add a durable write to every answer.
 */
export class MemoryCounterStore implements CounterStore {
  private counts = new Map<string, { window: number; count: number }>()

  constructor(private readonly maxKeys = 100_000) {}

  async hit(key: string, windowSeconds: number, nowMs = Date.now()): Promise<number> {
    const window = Math.floor(nowMs / 1000 / windowSeconds)
    const entry = this.counts.get(key)
    if (entry !== undefined && entry.window === window) return ++entry.count
    if (this.counts.size >= this.maxKeys) this.sweep(window)
    this.counts.set(key, { window, count: 1 })
    return 1
  }

  async close(): Promise<void> {}

  private sweep(window: number) {
    for (const [key, entry] of this.counts) if (entry.window !== window) this.counts.delete(key)
    // Still full of live keys (a flood): forget everything rather than grow without bound.
    if (this.counts.size >= this.maxKeys) this.counts.clear()
  }
}

/** Redis when configured; the shared database on PostgreSQL; memory for one SQLite instance. */
export function rateLimitStore(db: Kysely<Database>, dialect: Dialect, redisUrl: string | undefined): CounterStore {
  if (redisUrl || dialect === 'postgres') return openCounterStore(db, redisUrl)
  return new MemoryCounterStore()
}

/**
 * Rate-limit keys are a keyed hash of (client address, user agent, scope) under a secret
 * that changes every day and is deleted the day after, so neither the counters nor the
 * keys can be turned back into an address. The secret lives in the database, so that all
 * instances derive the same key for the same client on the same day.
 */
export class DailyKeyer {
  private current = { day: '', secret: '' }

  constructor(private readonly db: Kysely<Database>) {}

  async key(request: FastifyRequest, scope: string, day: string): Promise<string> {
    if (this.current.day !== day) await this.rotate(day)
    return createHmac('sha256', this.current.secret)
      .update(`${request.ip}\u0000${request.headers['user-agent'] ?? ''}\u0000${scope}`)
      .digest('base64url')
      .slice(0, 22)
  }

  private async rotate(day: string) {
    const secret = await loadOrCreateSecret(this.db, `rate-key:${day}`)
    this.current = { day, secret }
    // Forget earlier days' secrets: yesterday's keys can no longer be recomputed.
    await this.db.deleteFrom('app_secrets').where('name', 'like', 'rate-key:%').where('name', '<', `rate-key:${day}`).execute()
  }
}

export interface Limit {
  max: number
  windowMs: number
}

/** Citizen limits: generous for a class answering on one Wi-Fi, tight for scripts. */
export const limits = {
  /** Answers (step 1 and 2) per client and poster. */
  answer: { max: 30, windowMs: 10 * 60_000 },
  /** Answers at a kiosk tablet: one person after another, but not a script. */
  kioskAnswer: { max: 120, windowMs: 10 * 60_000 },
  /** Unknown poster codes per client: typing mistakes, not guessing. */
  unknownCode: { max: 20, windowMs: 10 * 60_000 },
} satisfies Record<string, Limit>

export class RateLimiter {
  constructor(
    private readonly store: CounterStore,
    private readonly keyer: DailyKeyer,
  ) {}

  /**
   * True when this request is still within the limit (and counts it). When the shared
   * store cannot be reached the request is let through: an answer matters more than a
   * limit, and the other defences (ticket, device rule, honeypot) still hold.
   */
  async allow(request: FastifyRequest, scope: string, limit: Limit, day: string): Promise<boolean> {
    const key = await this.keyer.key(request, scope, day)
    try {
      return (await this.store.hit(`rl:${key}`, Math.ceil(limit.windowMs / 1000))) <= limit.max
    } catch (error) {
      request.log.warn({ err: error }, 'rate-limit store unavailable; request let through')
      return true
    }
  }

  /**
   * The same limit for a caller that is already identified by something that is not a
   * person (an API token's row id): the key is used as given, so it must never contain
   * an address, a user agent or a secret. Fails open like `allow`.
   */
  async allowKey(request: FastifyRequest, key: string, limit: Limit): Promise<boolean> {
    try {
      return (await this.store.hit(`rl:${key}`, Math.ceil(limit.windowMs / 1000))) <= limit.max
    } catch (error) {
      request.log.warn({ err: error }, 'rate-limit store unavailable; request let through')
      return true
    }
  }

  close(): Promise<void> {
    return this.store.close()
  }
}
