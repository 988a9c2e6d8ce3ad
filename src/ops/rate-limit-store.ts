import { createHmac } from 'node:crypto'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { CounterStore } from './counters.ts'

/**
 * Plugs the shared counters into @fastify/rate-limit (`store: rateLimitStore(...)`), so
 * that a limit holds across every instance, in the database or in Redis.
 *
 * The plugin's keys are client addresses by default. They are never stored as such: each
 * key is replaced by an HMAC under `keySecret()` — give it the daily rotating secret, and
 * yesterday's counters cannot be linked to today's, nor to an address.
 *
 * Counters use fixed windows of `timeWindow` (rounded up to whole seconds) rather than
 * the plugin's per-client sliding start: the same for every instance without any
 * coordination. Add `skipOnError: true` to the plugin options to let requests through
 * when the store cannot be reached.
 */
export function rateLimitStore(counters: CounterStore, keySecret: () => string): FastifyRateLimitStoreCtor {
  class SharedCounterStore {
    constructor(
      _options: unknown,
      private readonly scope = 'global',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const windowSeconds = Math.max(1, Math.ceil(timeWindow / 1000))
      const now = Date.now()
      const nowSeconds = Math.floor(now / 1000)
      const windowEndMs = (nowSeconds - (nowSeconds % windowSeconds) + windowSeconds) * 1000
      const opaque = createHmac('sha256', keySecret()).update(key).digest('base64url').slice(0, 22)
      counters.hit(`rl:${this.scope}:${opaque}`, windowSeconds, now).then(
        (current) => callback(null, { current, ttl: Math.max(0, windowEndMs - now) }),
        (error: Error) => callback(error),
      )
    }

    /**
     * A route with its own limit counts apart from the global one; a limiter made with
     * `fastify.rateLimit(options)` (no route) counts per distinct max and window.
     */
    child(options: unknown): SharedCounterStore {
      // The plugin's typings say route options; at run time it passes the merged limit
      // parameters, with the route under `routeInfo` (v11).
      const params = options as { routeInfo?: { method?: string | string[]; url?: string }; max?: unknown; timeWindow?: unknown }
      const route = params.routeInfo
      const scope =
        route?.url !== undefined
          ? `${[route.method ?? 'ANY'].flat().join(',')} ${route.url}`
          : `limit ${typeof params.max === 'number' ? params.max : 'fn'}/${typeof params.timeWindow === 'number' ? params.timeWindow : 'fn'}`
      return new SharedCounterStore(undefined, scope)
    }
  }
  return SharedCounterStore as unknown as FastifyRateLimitStoreCtor
}
