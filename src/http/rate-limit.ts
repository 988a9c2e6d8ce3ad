import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { isIPv4, isIPv6 } from 'node:net'
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
 *
 * The store holds at most `maxKeys` counters. When it is full, ended windows go first;
 * if it is still full (a flood of new clients), the counters with the fewest hits go,
 * oldest first. A flood is made of clients seen once or twice, so a client that has used
 * up its budget (the one worth remembering) is the last to be forgotten: forgetting
 * everything, as an earlier version did, handed every exhausted client a fresh budget.
 */
export class MemoryCounterStore implements CounterStore {
  private counts = new Map<string, { window: number; count: number; endsAt: number }>()

  constructor(private readonly maxKeys = 100_000) {}

  async hit(key: string, windowSeconds: number, nowMs = Date.now()): Promise<number> {
    const window = Math.floor(nowMs / 1000 / windowSeconds)
    const slot = `${windowSeconds}:${key}`
    const entry = this.counts.get(slot)
    if (entry !== undefined && entry.window === window) return ++entry.count
    if (entry !== undefined) this.counts.delete(slot)
    else if (this.counts.size >= this.maxKeys) this.makeRoom(nowMs)
    this.counts.set(slot, { window, count: 1, endsAt: (window + 1) * windowSeconds * 1000 })
    return 1
  }

  get size(): number {
    return this.counts.size
  }

  async close(): Promise<void> {}

  /** Frees a tenth of the store, so that a flood pays for this pass once per many new keys. */
  private makeRoom(nowMs: number) {
    const target = Math.floor(this.maxKeys * 0.9)
    for (const [slot, entry] of this.counts) if (entry.endsAt <= nowMs) this.counts.delete(slot)
    for (let fewest = 1; this.counts.size > target; fewest *= 2) {
      for (const [slot, entry] of this.counts) {
        if (this.counts.size <= target) break
        if (entry.count <= fewest) this.counts.delete(slot)
      }
    }
  }
}

/** Redis when configured; the shared database on PostgreSQL; memory for one SQLite instance. */
export function rateLimitStore(db: Kysely<Database>, dialect: Dialect, redisUrl: string | undefined, memoryKeys?: number): CounterStore {
  if (redisUrl || dialect === 'postgres') return openCounterStore(db, redisUrl)
  return new MemoryCounterStore(memoryKeys)
}

/**
 * What a client cannot change for free: its network. An IPv4 address counts whole (many
 * people behind one carrier NAT or library Wi-Fi share one; the budgets allow for that),
 * an IPv6 address by its /64 (one subscriber or LAN gets a /64 and can pick any address
 * inside it), and an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a dual-stack
 * socket shows an IPv4 client) as its IPv4 address. Not the user agent: any script can
 * send a new one with every request.
 */
function clientNetwork(address: string): string {
  const ip = address.replace(/%.*$/, '')
  if (isIPv4(ip)) return ip
  if (!isIPv6(ip)) return ip
  const groups = expandIPv6(ip)
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  if (mapped) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail resolved). */
function expandIPv6(ip: string): number[] {
  let text = ip.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0')
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16))
}

/**
 * Rate-limit keys are a keyed hash of (client network, scope) under a secret that changes
 * every day and is deleted the day after, so neither the counters nor the keys can be
 * turned back into an address. The secret lives in the database, so that all instances
 * derive the same key for the same client on the same day.
 */
export class DailyKeyer {
  /** The day's secret as a key object, made once a day rather than per request. */
  private current: { day: string; key: KeyObject | undefined } = { day: '', key: undefined }

  constructor(private readonly db: Kysely<Database>) {}

  async key(request: FastifyRequest, scope: string, day: string): Promise<string> {
    if (this.current.day !== day) await this.rotate(day)
    return createHmac('sha256', this.current.key!)
      .update(`${clientNetwork(request.ip)}\u0000${scope}`)
      .digest('base64url')
      .slice(0, 22)
  }

  private async rotate(day: string) {
    const secret = await loadOrCreateSecret(this.db, `rate-key:${day}`)
    this.current = { day, key: createSecretKey(Buffer.from(secret, 'utf8')) }
    // Forget earlier days' secrets: yesterday's keys can no longer be recomputed.
    await this.db.deleteFrom('app_secrets').where('name', 'like', 'rate-key:%').where('name', '<', `rate-key:${day}`).execute()
  }
}

export interface Limit {
  max: number
  windowMs: number
}

/**
 * Citizen limits, per client network (see `clientNetwork`) and 10 minutes; the reasons are
 * in docs/security.md, "Rate limits". Generous enough for a group of 40 answering both
 * steps on one poster behind one shared address (80 answers) with room for retries; a
 * script on one network gets no more than such a group.
 */
export const limits = {
  /** Answers (step 1 and 2) per network and poster. */
  answer: { max: 120, windowMs: 10 * 60_000 },
  /** Answers at a kiosk tablet, per network and poster: one person after another. */
  kioskAnswer: { max: 120, windowMs: 10 * 60_000 },
  /** Answers per network on all posters of one region together (an event with a few posters). */
  regionAnswer: { max: 300, windowMs: 10 * 60_000 },
  /** Unknown poster codes per network: typing mistakes, not guessing. */
  unknownCode: { max: 30, windowMs: 10 * 60_000 },
} satisfies Record<string, Limit>

/** One budget a request draws on: a counter's scope and its limit. */
export interface Budget {
  scope: string
  limit: Limit
}

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
    return this.allowAll(request, [{ scope, limit }], day)
  }

  /**
   * True when the request is within every one of `budgets` (it counts against all of
   * them, refused or not, so that hammering on a refusal never earns a fresh window).
   */
  async allowAll(request: FastifyRequest, budgets: Budget[], day: string): Promise<boolean> {
    // One after the other: the first may rotate the day's secret, the others reuse it.
    const keys: string[] = []
    for (const budget of budgets) keys.push(await this.keyer.key(request, budget.scope, day))
    try {
      const counts = await Promise.all(budgets.map((budget, i) => this.store.hit(`rl:${keys[i]}`, Math.ceil(budget.limit.windowMs / 1000))))
      return budgets.every((budget, i) => counts[i]! <= budget.limit.max)
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
