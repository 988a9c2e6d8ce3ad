/**
 * Query plans, for the dashboard benchmark (which records every plan it saw, so that a plan
 * change shows up as a diff of bench/plans-*.txt) and for test/dashboard/plans.test.ts
 * (which fails when a dashboard, API or share query stops using its index).
 */

/** One line of SQLite's `explain query plan`. */
export interface PlanLine {
  id: number
  parent: number
  detail: string
}

/** The tables that grow with the answers: no read of the dashboards may scan one of them. */
export const growingTables = [
  'responses',
  'response_themes',
  'response_moderation',
  'rollup_region_days',
  'rollup_poster_days',
  'rollup_poster_months',
  'rollup_poster_years',
  'rollup_region_theme_days',
  'rollup_region_theme_months',
  'rollup_poster_theme_days',
  'rollup_poster_theme_months',
] as const

/**
 * What is wrong with a plan, as sentences (empty when nothing is):
 * - a full scan of a table that grows with the answers (its cost would follow the total);
 * - a rollup read that does not start its search at the region or partner (the rollups'
 *   primary keys lead with region_id, their `_partner` indexes with partner_id), so that it
 *   reads one region's rows and, with the time bound after it, one period's.
 */
export function planViolations(plan: readonly PlanLine[]): string[] {
  const problems: string[] = []
  for (const { detail } of plan) {
    const scan = /^SCAN (\w+)/.exec(detail)
    if (scan && (growingTables as readonly string[]).includes(scan[1]!)) problems.push(`scans ${scan[1]}: ${detail}`)
    const search = /^SEARCH (rollup_\w+) /.exec(detail)
    if (search && !/USING (?:COVERING )?(?:INDEX \w+|PRIMARY KEY) \((?:region_id|partner_id)=\?/.test(detail)) {
      problems.push(`${search[1]} not searched by region or partner: ${detail}`)
    }
  }
  return problems
}

/** A plan as indented text, the way sqlite3's shell prints it. */
export function formatPlan(plan: readonly PlanLine[]): string {
  const depth = new Map<number, number>([[0, 0]])
  return plan
    .map((line) => {
      const level = (depth.get(line.parent) ?? 0) + 1
      depth.set(line.id, level)
      return `${'  '.repeat(level)}${line.detail}`
    })
    .join('\n')
}

/** A statement an app ran, with the values of its first run (PostgreSQL's plans depend on them). */
export interface SeenStatement {
  sql: string
  parameters: readonly unknown[]
}

/**
 * Records the reads of the growing tables that an app runs on this database from now on,
 * each SQL text once with the values of its first run: the plan depends on them (SQLite's
 * STAT4 statistics pick a location's own index for a real location id, and not for a
 * NULL). On SQLite through the statement cache's `prepare`, on PostgreSQL through pg's
 * `Client.query`. `stop()` puts things back.
 */
export async function recordReads(handle: { dialect: 'sqlite' | 'postgres'; sqlite?: { prepare: (source: string) => unknown } }) {
  const seen = new Map<string, SeenStatement>()
  const wanted = (sql: string) => /^\s*(select|with)\b/i.test(sql) && growingTables.some((table) => new RegExp(`\\b${table}\\b`).test(sql))
  const keep = (sql: string, parameters: readonly unknown[]) => {
    if (!seen.has(sql) && wanted(sql)) seen.set(sql, { sql, parameters })
  }
  if (handle.sqlite) {
    const sqlite = handle.sqlite
    const prepare = sqlite.prepare.bind(sqlite)
    sqlite.prepare = (source: string) => {
      const statement = prepare(source) as Record<string, unknown>
      if (!wanted(source)) return statement
      // Kysely runs a statement with its parameters as one array: keep the first run's.
      for (const method of ['all', 'get', 'iterate']) {
        const original = statement[method] as (...args: unknown[]) => unknown
        statement[method] = function (this: unknown, ...args: unknown[]) {
          keep(source, Array.isArray(args[0]) ? (args[0] as unknown[]) : args)
          return original.apply(this, args)
        }
      }
      return statement
    }
    return { statements: () => [...seen.values()], stop: () => void (sqlite.prepare = prepare) }
  }
  const pg = (await import('pg')).default
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const query = prototype.query
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args
    if (typeof first === 'string') keep(first, Array.isArray(second) ? second : [])
    else if (first && typeof first === 'object' && 'text' in first) keep(String((first as { text: unknown }).text), ((first as { values?: unknown[] }).values ?? []) as unknown[])
    return query.apply(this, args)
  }
  return { statements: () => [...seen.values()], stop: () => void (prototype.query = query) }
}
