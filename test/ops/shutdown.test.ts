import t from 'tap'
import { seedPoster, testDatabase } from '../helpers.ts'
import { postAnswer, responseIdFromLocation, startServer } from './server-process.ts'

// Servers start in child processes through tsx: on a busy machine that alone can take tens of seconds.
t.setTimeout(300_000)

t.test('SIGTERM under load: every answer acknowledged with a 303 is in the database', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const server = await startServer(t, { DATABASE_URL: database.url })

  const acknowledged: number[] = []
  let acknowledgedAfterSignal = 0
  let refused = 0
  let signalled = false
  const statuses = new Map<number, number>()
  let phone = 0

  async function worker() {
    // Each worker keeps answering until the server stops taking connections.
    for (let failures = 0; failures < 3; ) {
      try {
        const res = await postAnswer(database.db, server.url, fixture.code, phone++)
        await res.arrayBuffer()
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status === 303) {
          const id = responseIdFromLocation(res.headers.get('location'))
          if (id !== undefined) acknowledged.push(id)
          if (signalled) acknowledgedAfterSignal++
        }
      } catch {
        refused++
        failures++
        if (!signalled) throw new Error('a request failed before the shutdown')
      }
    }
  }

  const workers = Array.from({ length: 16 }, () => worker())
  while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10))
  signalled = true
  server.child.kill('SIGTERM')
  await Promise.all(workers)
  const exit = await server.exited

  if (process.env.SHOW_LOG) console.error(server.stdout())
  t.same(exit, { code: 0, signal: null }, 'the server exits cleanly')
  t.match(server.stdout(), '"msg":"shutting down"')
  t.ok(acknowledgedAfterSignal > 0, `${acknowledgedAfterSignal} requests in flight at SIGTERM were still answered`)
  t.comment(`acknowledged ${acknowledged.length}, of which ${acknowledgedAfterSignal} after SIGTERM; statuses ${JSON.stringify([...statuses])}; ${refused} refused connections`)

  const rows = await database.db.selectFrom('responses').select('id').where('poster_id', '=', fixture.posterId).execute()
  const stored = new Set(rows.map((row) => row.id))
  const lost = acknowledged.filter((id) => !stored.has(id))
  t.same(lost, [], 'no acknowledged answer is lost')
  t.equal(new Set(acknowledged).size, acknowledged.length, 'each acknowledgement names its own answer')
})
