import SQLite from 'better-sqlite3'
import t from 'tap'
import { asUnavailable, isDatabaseUnavailable } from '../../src/http/errors.ts'

// Which database errors mean "cannot store anything now" (503) and which are bugs (500).
t.test('real SQLite errors: read-only is unavailable, a constraint violation is not', async (t) => {
  const db = new SQLite(':memory:')
  db.exec('create table x (id integer primary key)')
  db.exec('insert into x values (1)')
  t.teardown(() => db.close())
  const duplicate = t.throws(() => db.exec('insert into x values (1)'))
  t.notOk(isDatabaseUnavailable(duplicate), 'a unique violation is a bug or a double submit, not an outage')
  db.pragma('query_only = ON')
  let readOnly: unknown
  try {
    db.exec('insert into x values (2)')
  } catch (error) {
    readOnly = error
  }
  t.equal((readOnly as { code?: string }).code, 'SQLITE_READONLY')
  t.ok(isDatabaseUnavailable(readOnly))
  const wrapped = asUnavailable(readOnly) as { code: string; statusCode: number; cause: unknown }
  t.equal(wrapped.statusCode, 503)
  t.equal(wrapped.code, 'LV_DATABASE_UNAVAILABLE')
  t.equal(wrapped.cause, readOnly, 'the original error is kept for the log')
})

t.test('codes from both databases and the network', async (t) => {
  const unavailable = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR', 'SQLITE_BUSY', '53100', '53200', '25006', '08006', '08001', '57P01', 'ECONNREFUSED', 'ENOSPC']
  for (const code of unavailable) t.ok(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), `${code} → 503`)
  const bugs = ['SQLITE_ERROR', 'SQLITE_CONSTRAINT_UNIQUE', '23505', '42P01', '22001', 'FST_ERR_VALIDATION', undefined]
  for (const code of bugs) t.notOk(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), `${code} → not 503`)
  t.ok(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), 'a dropped pg connection')
  t.ok(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), 'a pg pool timeout')
  t.notOk(isDatabaseUnavailable(null))
})
