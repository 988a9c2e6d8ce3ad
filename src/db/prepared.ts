import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely'
import type { Database } from './types.ts'

/**
 * A query of the hot path, built with Kysely once per database and then only bound.
 *
 * Building and compiling a Kysely query (operation nodes, freezing, the visitor that writes
 * the SQL) costs more CPU than better-sqlite3 takes to run a small insert: measured on the
 * step-1 and step-2 routes, it was the largest share of their JavaScript time. The SQL
 * text of these queries never changes, only the values do, so the query is built once with
 * a marker in place of every value (`arg('name')`), compiled by the database's own dialect
 * (so the same code writes `?` for SQLite and `$1` for PostgreSQL), and from then on each
 * call only lays the arguments out in the compiled order. On SQLite the statement cache in
 * database.ts then reuses one prepared statement for that text; on PostgreSQL pg sends it
 * as a parameterised query, as Kysely would have.
 *
 * Values the builder inlines as parameters themselves (a literal `'chosen'` in the query)
 * are kept as constants in their place. Kept per Kysely instance (its adapter): a
 * transaction shares the instance's adapter, so it reuses the same compiled text.
 */
export class PreparedQuery<Args extends object, Row = unknown> {
  private readonly compiled = new WeakMap<object, { sql: string; layout: readonly Slot[] }>()

  constructor(private readonly build: (db: Kysely<Database>, arg: <K extends keyof Args & string>(name: K) => Args[K]) => Compilable<Row>) {}

  execute(db: Kysely<Database>, args: Args): Promise<QueryResult<Row>> {
    const adapter = db.getExecutor().adapter
    let entry = this.compiled.get(adapter)
    if (entry === undefined) {
      entry = this.compile(db)
      this.compiled.set(adapter, entry)
    }
    const layout = entry.layout
    const values = args as Record<string, unknown>
    const parameters = new Array<unknown>(layout.length)
    for (let i = 0; i < layout.length; i++) {
      const slot = layout[i]!
      parameters[i] = slot.name === undefined ? slot.value : values[slot.name]
    }
    return db.executeQuery<Row>(CompiledQuery.raw(entry.sql, parameters))
  }

  /** The SQL this query compiles to on `db`'s dialect (for plans and tests). */
  sql(db: Kysely<Database>): string {
    return this.compile(db).sql
  }

  private compile(db: Kysely<Database>): { sql: string; layout: readonly Slot[] } {
    const compiled = this.build(db, (name) => new Slot(name) as never).compile()
    const layout = compiled.parameters.map((parameter) => (parameter instanceof Slot ? parameter : new Slot(undefined, parameter)))
    return { sql: compiled.sql, layout }
  }
}

/** Where an argument goes in the compiled parameters (`name`), or a constant the builder put there. */
class Slot {
  constructor(
    readonly name: string | undefined,
    readonly value?: unknown,
  ) {}
}
