import t from 'tap'
import { GroupCommit } from '../../src/answers/group-commit.ts'
import { testDatabase } from '../helpers.ts'

t.test('jobs of one event-loop turn commit together; a failing job takes none of its neighbours down', async (t) => {
  const database = await testDatabase(t)
  const group = new GroupCommit(database.db)
  const now = new Date().toISOString()
  const jobs = Array.from({ length: 10 }, (_, i) =>
    group.run(async (trx) => {
      if (i === 3) throw new Error('this one fails')
      await trx.insertInto('app_secrets').values({ name: `job-${i}`, value: String(i), created_at: now }).execute()
      return i
    }),
  )
  const results = await Promise.allSettled(jobs)
  t.same(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
  t.match((results[3] as PromiseRejectedResult).reason, /this one fails/)
  const rows = await database.db.selectFrom('app_secrets').select('name').where('name', 'like', 'job-%').orderBy('name').execute()
  t.same(rows.map((r) => r.name), ['job-0', 'job-1', 'job-2', 'job-4', 'job-5', 'job-6', 'job-7', 'job-8', 'job-9'])
})

t.test('each caller gets its own result after the commit', async (t) => {
  const database = await testDatabase(t)
  const group = new GroupCommit(database.db)
  const values = await Promise.all(Array.from({ length: 5 }, (_, i) => group.run(async () => i * 2)))
  t.same(values, [0, 2, 4, 6, 8])
})
