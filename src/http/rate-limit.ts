import { createHmac } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'

/**
 * Counts hits per key in fixed windows. The in-memory store suits one instance; several
 * instances share a store in the database or Redis (same interface).
 */
export interface CounterStore {
  /** Adds one hit to `key` in the window that contains now; returns the count so far. */
  hit(key: string, windowMs: number, now?: number): Promise<number>
}

export class MemoryCounterStore implements CounterStore {
  private counts = new Map<string, { window: number; count: number }>()

  constructor(private readonly maxKeys = 100_000) {}

  async hit(key: string, windowMs: number, now = Date.now()): Promise<number> {
    const window = Math.floor(now / windowMs)
    const entry = this.counts.get(key)
    if (entry !== undefined && entry.window === window) return ++entry.count
    if (this.counts.size >= this.maxKeys) this.sweep(windowMs, window)
    this.counts.set(key, { window, count: 1 })
    return 1
  }

  private sweep(windowMs: number, window: number) {
    for (const [key, entry] of this.counts) if (entry.window !== window) this.counts.delete(key)
    // Still full of live keys (a flood): forget everything rather than grow without bound.
    if (this.counts.size >= this.maxKeys) this.counts.clear()
    void windowMs
  }
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

  /** True when this request is still within the limit (and counts it). */
  async allow(request: FastifyRequest, scope: string, limit: Limit, day: string): Promise<boolean> {
    const key = await this.keyer.key(request, scope, day)
    return (await this.store.hit(key, limit.windowMs)) <= limit.max
  }
}
