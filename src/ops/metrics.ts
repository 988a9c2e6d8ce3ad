/**
 * A tiny Prometheus registry for what an operator of Leervraag watches: requests and their
 * latency per route, answers stored, database errors. Written by hand because the text
 * format is small and the per-request cost must stay a few map lookups and increments
 * (the citizen routes are the hot path); the cumulative buckets and the text are only
 * computed when /metrics is scraped.
 */

/** Seconds; from a cached page (~1 ms) to a request that should never take this long. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const

interface RouteSeries {
  /** status code → count */
  statuses: Map<number, number>
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: Float64Array
  sum: number
  count: number
}

/**
 * Posters print upper-case URLs (`/Q/AB12CD`, the compact QR mode) and people type lower
 * case: both prefixes are one route, so the hot path has one series, not two.
 */
function routeLabel(route: string): string {
  return route.replace(/^\/([QK])(?=\/|$)/, (prefix) => prefix.toLowerCase())
}

/** Requests that matched no route share one label, so random URLs cannot grow the series. */
const unmatchedRoute = '(unmatched)'

export class HttpMetrics {
  /** route pattern → method → series */
  private readonly routes = new Map<string, Map<string, RouteSeries>>()

  observe(method: string, route: string | undefined, status: number, seconds: number): void {
    const pattern = route === undefined ? unmatchedRoute : routeLabel(route)
    let byMethod = this.routes.get(pattern)
    if (byMethod === undefined) {
      byMethod = new Map()
      this.routes.set(pattern, byMethod)
    }
    let series = byMethod.get(method)
    if (series === undefined) {
      series = { statuses: new Map(), buckets: new Float64Array(latencyBuckets.length + 1), sum: 0, count: 0 }
      byMethod.set(method, series)
    }
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1)
    let index = 0
    while (index < latencyBuckets.length && seconds > latencyBuckets[index]!) index++
    series.buckets[index]!++
    series.sum += seconds
    series.count++
  }

  /** Prometheus text exposition (version 0.0.4) of the request counters and histograms. */
  render(lines: string[]): void {
    lines.push('# HELP leervraag_http_requests_total HTTP requests answered, by route pattern, method and status.')
    lines.push('# TYPE leervraag_http_requests_total counter')
    for (const [route, byMethod] of this.routes) {
      for (const [method, series] of byMethod) {
        for (const [status, count] of series.statuses) {
          lines.push(`leervraag_http_requests_total{${labels({ method, route, status: String(status) })}} ${count}`)
        }
      }
    }
    lines.push('# HELP leervraag_http_request_duration_seconds Time to answer an HTTP request, by route pattern and method.')
    lines.push('# TYPE leervraag_http_request_duration_seconds histogram')
    for (const [route, byMethod] of this.routes) {
      for (const [method, series] of byMethod) {
        const base = labels({ method, route })
        let cumulative = 0
        latencyBuckets.forEach((bound, index) => {
          cumulative += series.buckets[index]!
          lines.push(`leervraag_http_request_duration_seconds_bucket{${base},le="${bound}"} ${cumulative}`)
        })
        lines.push(`leervraag_http_request_duration_seconds_bucket{${base},le="+Inf"} ${series.count}`)
        lines.push(`leervraag_http_request_duration_seconds_sum{${base}} ${series.sum}`)
        lines.push(`leervraag_http_request_duration_seconds_count{${base}} ${series.count}`)
      }
    }
  }
}

/** One counter or gauge with its help line. */
export function renderSample(lines: string[], name: string, type: 'counter' | 'gauge', help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`)
}

/** Label values escaped as the exposition format asks: backslash, double quote, newline. */
function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',')
}
