import { connect, createServer, type Server, type Socket } from 'node:net'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/database.ts'
import { testConfig, testDatabase, testDatabaseUrl } from '../helpers.ts'
import { readySoon, readyz } from './ready-soon.ts'

/**
 * A TCP relay in front of PostgreSQL that the test can cut and restore: a reliable way to
 * make the database unreachable for one app (as a network cut or a failover would),
 * without stopping the server that other tests use.
 */
class Relay {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => socket.destroy())
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve))
    this.port = (this.server.address() as { port: number }).port
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    await closed
  }
}

t.test('/readyz turns 503 when PostgreSQL becomes unreachable and 200 when it is back', async (t) => {
  if (!testDatabaseUrl) {
    t.comment('SKIPPED: set TEST_DATABASE_URL=postgres://… to run the database outage test (CI runs it in its PostgreSQL pass)')
    t.pass('skipped without PostgreSQL')
    return
  }
  const database = await testDatabase(t)
  const target = new URL(testDatabaseUrl)
  const relay = new Relay(target.hostname, Number(target.port || 5432))
  await relay.open()
  t.teardown(() => relay.cut().catch(() => {}))

  const viaRelay = new URL(database.url)
  viaRelay.host = `127.0.0.1:${relay.port}`
  const handle = openDatabase(viaRelay.toString())
  t.teardown(() => handle.close())
  const app = await buildApp(testConfig({ METRICS_TOKEN: 'metrics-token-0123456789abcdef' }), { database: handle })
  t.teardown(() => app.close())

  t.same(await readySoon(app), { status: 200, body: { status: 'ready', database: 'ok', migrations: 'current' }, cacheControl: 'no-store' }, 'ready')

  await relay.cut()
  const started = Date.now()
  t.same(await readyz(app), { status: 503, body: { status: 'not ready', database: 'unreachable', migrations: 'unknown' }, cacheControl: 'no-store' }, 'not ready while cut off')
  t.ok(Date.now() - started < 5_000, `answered in ${Date.now() - started} ms, not hanging`)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'alive all the same')
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789abcdef' } })
  t.match(metrics.body, /leervraag_database_errors_total [1-9]/, 'the lost connections are counted')

  await relay.open()
  t.same(await readySoon(app), { status: 200, body: { status: 'ready', database: 'ok', migrations: 'current' }, cacheControl: 'no-store' }, 'ready again once the database is back')
})
