import t from 'tap'
import { issueFormTicket } from '../../src/capture/guard.ts'
import { form, seedPoster, testDatabase, testDatabaseUrl } from '../helpers.ts'
import { postAnswer, responseIdFromLocation, startServer } from './server-process.ts'

// Servers start in child processes through tsx: on a busy machine that alone can take tens of seconds.
t.setTimeout(300_000)

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

t.test('three instances on one PostgreSQL schema: every acknowledged answer is stored exactly once', async (t) => {
  if (!testDatabaseUrl) {
    t.comment('SKIPPED: set TEST_DATABASE_URL=postgres://… to run the three-instance test (CI runs it in its PostgreSQL pass)')
    t.pass('skipped without PostgreSQL')
    return
  }
  // A fresh database without tables: the three instances start together and race to migrate it.
  const database = await testDatabase(t, { migrate: false })
  const servers = await Promise.all([0, 1, 2].map(() => startServer(t, { DATABASE_URL: database.url })))
  t.equal(new Set(servers.map((server) => server.url)).size, 3, 'three instances on three ports')
  for (const server of servers) t.equal((await fetch(`${server.url}/readyz`)).status, 200, `${server.url} is ready`)

  const fixture = await seedPoster(database)
  const answers = 300
  const acknowledged: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  // Eight clients send answers round-robin over the instances, as a load balancer would.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < answers) {
        const phone = next++
        const server = servers[phone % servers.length]!
        const res = await postAnswer(database.db, server.url, fixture.code, phone, { tried_new: 'a_bit' })
        await res.arrayBuffer()
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        const id = res.status === 303 ? responseIdFromLocation(res.headers.get('location')) : undefined
        if (id !== undefined) acknowledged.push(id)
      }
    }),
  )
  t.same([...statuses], [[303, answers]], 'every answer was acknowledged')

  const rows = await database.db.selectFrom('responses').select('id').where('poster_id', '=', fixture.posterId).execute()
  t.equal(rows.length, answers, 'as many rows as acknowledged answers: none lost, none doubled')
  t.same(new Set(rows.map((row) => row.id)), new Set(acknowledged), 'each acknowledged id is a stored row')

  // Step 2 on another instance than step 1: the token secret is shared through the database.
  const first = await postAnswer(database.db, servers[0]!.url, fixture.code, 10_000)
  const step2 = first.headers.get('location')!
  // A person takes a moment on step 2; faster than that counts as a bot and is not stored.
  await new Promise((resolve) => setTimeout(resolve, 1600))
  const amended = await fetch(`${servers[1]!.url}${step2}`, { method: 'POST', headers: formHeaders, body: form({ liked: '4' }), redirect: 'manual' })
  t.equal(amended.status, 303, 'an answer started on one instance is finished on another')
  const row = await database.db.selectFrom('responses').select(['liked', 'step']).where('id', '=', responseIdFromLocation(step2)!).executeTakeFirstOrThrow()
  t.same(row, { liked: 4, step: 2 })

  // One answer per device per poster per day holds across instances: the device's signed
  // cookie from instance 0 is honoured by instance 2.
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!
  t.match(cookie, /^lv_done=/)
  const before = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  const { value } = await database.db.selectFrom('app_secrets').select('value').where('name', '=', 'answer-token').executeTakeFirstOrThrow()
  const again = await fetch(`${servers[2]!.url}/q/${fixture.code}`, {
    method: 'POST',
    headers: { ...formHeaders, cookie, 'user-agent': 'TestPhone/10000' },
    body: form({ tried_new: 'no', ticket: issueFormTicket(value, fixture.code, Date.now() - 5000) }),
    redirect: 'manual',
  })
  t.match(await again.text(), 'Je hebt hier vandaag al geantwoord', 'the second answer from the same device is refused elsewhere too')
  const after = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(after.n), Number(before.n), 'and not stored')

  await Promise.all(
    servers.map(async (server) => {
      server.child.kill('SIGTERM')
      t.same(await server.exited, { code: 0, signal: null }, `${server.url} stops cleanly`)
    }),
  )
})
