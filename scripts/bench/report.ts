/**
 * The pure half of `npm run bench`: turning measurements into bench/results.json, the
 * printed table and the PASS/FAIL lines. No I/O here, so a test can check it cheaply.
 */

/** req/s and rows/s: throughput; ms and s: time for one operation (poster PDFs, dashboard p95). */
export type Unit = 'req/s' | 'rows/s' | 'ms' | 's'

export interface Measurement {
  name: string
  unit: Unit
  /** Successful operations per second: responses with the expected status, or rows committed. */
  value: number
  p99Ms: number
  /** Operations that did not succeed: other statuses, connection errors, timeouts. */
  errors: number
  /** Every operation attempted, successful or not. */
  total: number
  /** What went wrong, e.g. `404×120, timeout×3`, so an error page cannot pass for a fast page. */
  errorDetail?: string
  /**
   * The server process's CPU time (user + system) over the measured run divided by the
   * responses it sent, in µs (HTTP benchmarks). Unlike req/s it hardly moves when other
   * work shares the cores, so before/after comparisons use it.
   */
  cpuUsPerRequest?: number
  /** A note printed under the table (the dashboard: its worst view and plan file). */
  detail?: string
}

/** One entry of bench/results.json; later issues add more names (and issue 17 the CPU time per request). */
export interface ResultEntry {
  name: string
  unit: Unit
  value: number
  p99_ms: number
  /** Server CPU µs per response (HTTP benchmarks). */
  cpu_us?: number
  /** value ÷ hello_world's value in the same run (request benchmarks only). */
  ratio?: number
}

export interface Results {
  results: ResultEntry[]
}

export const baselineName = 'hello_world'

/** The ratio to hello_world, when hello_world ran and measured something. */
export function ratioToBaseline(measurement: Measurement, measurements: Measurement[]): number | undefined {
  const baseline = measurements.find((m) => m.name === baselineName)
  if (baseline === undefined || measurement === baseline || measurement.unit !== 'req/s' || baseline.value <= 0) return undefined
  return measurement.value / baseline.value
}

export function toResults(measurements: Measurement[]): Results {
  return {
    results: measurements.map((m) => {
      const entry: ResultEntry = { name: m.name, unit: m.unit, value: m.unit === 'ms' || m.unit === 's' ? round(m.value, 2) : Math.round(m.value), p99_ms: round(m.p99Ms, 1) }
      const ratio = ratioToBaseline(m, measurements)
      if (ratio !== undefined) entry.ratio = round(ratio, 2)
      if (m.cpuUsPerRequest !== undefined) entry.cpu_us = Math.round(m.cpuUsPerRequest)
      return entry
    }),
  }
}

export interface Target {
  benchmark: string
  label: string
  /** True when met; `ratio` is undefined when hello_world did not run; `all` is every measurement of the run. */
  met(measurement: Measurement, ratio: number | undefined, all: Measurement[]): boolean | 'needs hello_world' | `needs ${string}`
}

/** A second benchmark's value, when it ran in the same run. */
const valueOf = (all: Measurement[], name: string) => all.find((m) => m.name === name)?.value

/** The targets of issues 2 and 6, on this 2-core machine at 50 connections. */
export const targets: Target[] = [
  {
    benchmark: 'form_get',
    label: 'form_get ≥ 50 % of hello_world req/s',
    met: (_m, ratio) => (ratio === undefined ? 'needs hello_world' : ratio >= 0.5),
  },
  { benchmark: 'answer_post', label: 'answer_post ≥ 3000 req/s', met: (m) => m.value >= 3000 },
  { benchmark: 'answer_post', label: 'answer_post p99 < 50 ms', met: (m) => m.p99Ms < 50 },
  {
    benchmark: 'answer_post',
    label: 'dashboard rollups cost answer_post ≤ 20 % of answer_post_no_rollups',
    met: (m, _ratio, all) => {
      const without = valueOf(all, 'answer_post_no_rollups')
      return without === undefined ? 'needs answer_post_no_rollups' : m.value >= 0.8 * without
    },
  },
  { benchmark: 'planning_1m', label: 'planning_1m p95 ≤ 50 ms', met: (m) => m.value <= 50 },
  {
    benchmark: 'planning_1m',
    label: 'planning_1m within 2× planning_100k',
    met: (m, _ratio, all) => {
      const smaller = valueOf(all, 'planning_100k')
      return smaller === undefined ? 'needs planning_100k' : m.value <= 2 * smaller
    },
  },
]

/**
 * The dashboard's targets, one set per data shape that ran (`dashboard_1m/one-week`): the
 * worst view's p95 ≤ 50 ms at either size (a shape slower than that at 100,000 answers
 * will not be faster at a million), at 1M within 2× of the same shape at 100k, and every
 * view under 1 s (issue 17, "Bad input").
 */
export function dashboardTargets(measurements: Measurement[]): Target[] {
  const list: Target[] = []
  for (const m of measurements) {
    const [size, shape] = m.name.split('/')
    if (shape === undefined || (size !== 'dashboard_100k' && size !== 'dashboard_1m')) continue
    list.push({ benchmark: m.name, label: `${m.name} worst view p95 ≤ 50 ms`, met: (x) => x.value <= 50 })
    list.push({ benchmark: m.name, label: `${m.name} every view < 1 s`, met: (x) => x.value < 1000 })
    if (size === 'dashboard_1m') {
      list.push({
        benchmark: m.name,
        label: `${m.name} within 2× dashboard_100k/${shape}`,
        met: (x, _ratio, all) => {
          const smaller = valueOf(all, `dashboard_100k/${shape}`)
          return smaller === undefined ? `needs dashboard_100k/${shape}` : x.value <= 2 * smaller
        },
      })
    }
  }
  return list
}

export interface Verdict {
  label: string
  outcome: 'PASS' | 'FAIL' | 'SKIP'
  reason?: string
}

/**
 * A target is judged only for benchmarks that ran. Any failed request fails the target:
 * a route that answers 500 or 429 quickly is not a fast route.
 */
export function judge(measurements: Measurement[], list: Target[] = [...targets, ...dashboardTargets(measurements)]): Verdict[] {
  const verdicts: Verdict[] = []
  for (const target of list) {
    const measurement = measurements.find((m) => m.name === target.benchmark)
    if (measurement === undefined) continue
    const met = target.met(measurement, ratioToBaseline(measurement, measurements), measurements)
    if (typeof met === 'string') {
      verdicts.push({ label: target.label, outcome: 'SKIP', reason: `${met.slice('needs '.length)} did not run` })
    } else if (measurement.errors > 0) {
      verdicts.push({ label: target.label, outcome: 'FAIL', reason: `${measurement.errors} failed requests (${measurement.errorDetail ?? 'errors'})` })
    } else {
      verdicts.push({ label: target.label, outcome: met ? 'PASS' : 'FAIL' })
    }
  }
  return verdicts
}

export function formatTable(measurements: Measurement[]): string {
  const header = ['name', 'value', 'unit', 'p99 ms', 'ratio', 'cpu µs/req', 'errors']
  const rows = measurements.map((m) => {
    const ratio = ratioToBaseline(m, measurements)
    return [
      m.name,
      Math.round(m.value).toLocaleString('en-US'),
      m.unit,
      round(m.p99Ms, 1).toFixed(1),
      ratio === undefined ? '' : ratio.toFixed(2),
      m.cpuUsPerRequest === undefined ? '' : Math.round(m.cpuUsPerRequest).toLocaleString('en-US'),
      m.errors === 0 ? '0' : `${m.errors}/${m.total} ${m.errorDetail ?? ''}`.trim(),
    ]
  })
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const numeric = new Set([1, 3, 4, 5])
  const line = (cells: string[]) =>
    cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

export function formatVerdicts(verdicts: Verdict[]): string {
  return verdicts.map((v) => `${v.outcome}  ${v.label}${v.reason ? ` (${v.reason})` : ''}`).join('\n')
}

/** `{"404": 3, "200": 90}` with 200 expected → `404×3`. */
export function describeStatuses(counts: Record<string, number>, expected: number): string {
  return Object.entries(counts)
    .filter(([status, count]) => Number(status) !== expected && count > 0)
    .map(([status, count]) => `${status}×${count}`)
    .join(', ')
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
