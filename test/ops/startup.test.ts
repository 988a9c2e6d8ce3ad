import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { testDatabase } from '../helpers.ts'
import { runServer, startServer } from './server-process.ts'

// Servers start in child processes through tsx: on a busy machine that alone can take tens of seconds.
t.setTimeout(300_000)

/** The process must stop with exactly one line that says what is wrong, and no stack trace. */
async function failsWithOneLine(t: Test, env: Record<string, string>, expected: RegExp) {
  const password = /:([^:@/]+)@/.exec(env.DATABASE_URL ?? '')?.[1]
  const server = runServer(t, env)
  const { code } = await server.exited
  t.equal(code, 1, 'exits with status 1')
  const lines = server.stderr().trim().split('\n')
  t.equal(lines.length, 1, `one line: ${server.stderr()}`)
  t.match(lines[0], expected)
  t.notMatch(server.stderr(), /\n\s+at /, 'no stack trace')
  t.equal(server.stdout(), '', 'nothing else is printed')
  if (password) t.notOk(server.stderr().includes(password), 'the password is not printed')
}

t.test('a malformed DATABASE_URL is named, with what it should look like', async (t) => {
  await failsWithOneLine(t, { DATABASE_URL: 'mysql://db.example.be/leervraag' }, /^leervraag: invalid configuration: DATABASE_URL: must start with sqlite:/)
  await failsWithOneLine(
    t,
    { DATABASE_URL: 'postgres://leervraag:p%zzword@db.example.be:5432/leervraag' },
    /^leervraag: invalid configuration: DATABASE_URL: is not a valid connection URL/,
  )
})

t.test('an unreachable database is reported with its address, never its password', async (t) => {
  await failsWithOneLine(
    t,
    { DATABASE_URL: 'postgres://leervraag:hunter2secret@127.0.0.1:1/leervraag' },
    /^leervraag: cannot reach the PostgreSQL database leervraag at 127\.0\.0\.1:1: connection refused/,
  )
  await failsWithOneLine(t, { DATABASE_URL: 'postgres://leervraag:hunter2secret@no-such-host.invalid/leervraag' }, /unknown host name$/)
})

t.test('a database migrated by a newer version of Leervraag is refused', async (t) => {
  const database = await testDatabase(t)
  await sql`insert into kysely_migration (name, timestamp) values ('999_from_the_future', ${new Date().toISOString()})`.execute(database.db)
  await failsWithOneLine(t, { DATABASE_URL: database.url }, /^leervraag: the .* database .*: the database has migrations that this version of Leervraag does not know .*999_from_the_future/)
})

t.test('a good database starts, migrates and answers /readyz', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  const server = await startServer(t, { DATABASE_URL: database.url })
  const ready = await fetch(`${server.url}/readyz`)
  t.equal(ready.status, 200)
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null }, 'SIGTERM ends it cleanly')
  t.notMatch(server.stdout(), /"level":50/, 'no error logged')
})
