import { Redis } from 'ioredis'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/types.ts'

/**
 * Fixed-window counters that every instance of Leervraag sees alike, for limits such as
 * "at most n answers per device per poster per day" or per-client rate limits: with
 * several instances behind a load balancer, a counter in one process's memory would let
 * each client have n per instance.
 *
 * Keys are chosen by the caller and must never contain an address or any other personal
 * identifier in the clear: use the limit's name and an HMAC under a rotating secret.
 *
 * `hit` throws when the store cannot be reached; a caller that guards against abuse
 * should usually let the request through then (fail open) and log it.
 */
export interface CounterStore {
  /** Counts one more hit on `key` in the current window of `windowSeconds`; returns the count so far in that window. */
  hit(key: string, windowSeconds: number, nowMs?: number): Promise<number>
  close(): Promise<void>
}

function windowStart(nowMs: number, windowSeconds: number): number {
  const seconds = Math.floor(nowMs / 1000)
  return seconds - (seconds % windowSeconds)
}

/**
 * The default: one row per key and window, incremented with a single upsert that returns
 * the new count (atomic on SQLite and PostgreSQL alike). Expired windows are deleted at
 * most once a minute, by whichever call comes along.
 */
export class DatabaseCounterStore implements CounterStore {
  private nextSweep = 0

  constructor(private readonly db: Kysely<Database>) {}

  async hit(key: string, windowSeconds: number, nowMs = Date.now()): Promise<number> {
    const start = windowStart(nowMs, windowSeconds)
    const row = await this.db
      .insertInto('ops_counters')
      .values({ key, window_start: start, count: 1, expires_at: start + windowSeconds })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`ops_counters.count + 1` }))
      .returning('count')
      .executeTakeFirstOrThrow()
    if (nowMs >= this.nextSweep) {
      this.nextSweep = nowMs + 60_000
      void this.sweep(nowMs).catch(() => {})
    }
    return Number(row.count)
  }

  /** Deletes windows that have ended. */
  async sweep(nowMs = Date.now()): Promise<number> {
    const result = await this.db.deleteFrom('ops_counters').where('expires_at', '<=', Math.floor(nowMs / 1000)).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async close(): Promise<void> {}
}

/**
 * With REDIS_URL: one Redis key per counter and window, created with its expiry and
 * incremented in one MULTI, so a crash between the two can never leave a key without an
 * expiry (SET NX EX works on every Redis since 2.6.12).
 */
export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'leervraag:counter:',
  ) {}

  static connect(url: string): RedisCounterStore {
    // Few retries per command: a limit check must not hold a citizen's request for long.
    return new RedisCounterStore(new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 }))
  }

  async hit(key: string, windowSeconds: number, nowMs = Date.now()): Promise<number> {
    const start = windowStart(nowMs, windowSeconds)
    const redisKey = `${this.prefix}${key}:${start}`
    const remaining = Math.max(1, start + windowSeconds - Math.floor(nowMs / 1000))
    const results = await this.redis.multi().set(redisKey, 0, 'EX', remaining, 'NX').incr(redisKey).exec()
    const failure = results?.find(([error]) => error !== null)?.[0]
    if (failure) throw failure
    return Number(results?.[1]?.[1])
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect())
  }
}

/** Redis when REDIS_URL is configured, otherwise the database every instance already shares. */
export function openCounterStore(db: Kysely<Database>, redisUrl: string | undefined): CounterStore {
  return redisUrl ? RedisCounterStore.connect(redisUrl) : new DatabaseCounterStore(db)
}
