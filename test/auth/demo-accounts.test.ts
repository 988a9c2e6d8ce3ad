import t from 'tap'
import { createDemoAccounts } from '../../src/auth/demo-accounts.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser } from './browser.ts'

t.test('createDemoAccounts makes one account per role and prints a line for each that signs in', async (t) => {
  const { app, database } = await buildTestApp(t)
  const first = await seedPoster(database)
  const second = await seedPoster(database)
  const lines = await createDemoAccounts(database.db)
  t.equal(lines.length, 4)
  const roles = new Map<string, { email: string; password: string }>()
  for (const line of lines) {
    const match = /^demo login: (admin|coordinator|partner|bridge) (\S+@\S+) (\S{12,})$/.exec(line)
    t.ok(match, line)
    roles.set(match![1]!, { email: match![2]!, password: match![3]! })
  }
  t.same([...roles.keys()].sort(), ['admin', 'bridge', 'coordinator', 'partner'])
  for (const [role, account] of roles) {
    const browser = new Browser(app)
    t.equal((await browser.signIn(account.email, account.password)).statusCode, 303, `${role} signs in`)
    const home = await browser.get('/admin')
    t.match(home.body, `Regio`, `${role} sees a region`)
  }
  const coordinator = await database.db.selectFrom('users').innerJoin('user_regions', 'user_regions.user_id', 'users.id').select('region_id').where('role', '=', 'coordinator').execute()
  t.same(coordinator.map((row) => row.region_id).sort(), [first.regionId, second.regionId].sort(), 'the coordinator works in every demo region')
  const again = await createDemoAccounts(database.db)
  t.equal(again.length, 4, 'a second run prints four logins again')
  t.equal((await database.db.selectFrom('users').selectAll().execute()).length, 4, 'and adds no accounts')
  const [, , , email, password] = again.find((line) => line.includes(' admin '))!.split(' ')
  t.equal((await new Browser(app).signIn(email!, password!)).statusCode, 303, 'the new password works')
  t.equal((await new Browser(app).signIn(email!, roles.get('admin')!.password)).statusCode, 401, 'the old one no longer does')
})
