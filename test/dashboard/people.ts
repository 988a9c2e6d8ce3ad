import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { createRegion } from '../../src/admin/queries.ts'
import type { Database, Role } from '../../src/db/types.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import type { World } from './world.ts'

let counter = 0

/** A new account of this role, signed in: the dashboard is opened as a person opens it. */
export async function signedIn(app: FastifyInstance, db: Kysely<Database>, role: Role, memberships: { regionIds?: number[]; partnerIds?: number[] } = {}): Promise<Browser> {
  const email = `${role}-${++counter}@example.be`
  await makeUser(db, role, email, memberships)
  const browser = new Browser(app)
  const response = await browser.signIn(email, testPassword)
  if (response.statusCode !== 303) throw new Error(`${role} cannot sign in (${response.statusCode})`)
  return browser
}

/**
 * The people the dashboard tests look through: the region's coordinator; a member of its
 * second partner (sees that partner's figures only); a bridge figure of the region (no
 * dashboard: 403); a coordinator of another region (404: like an unknown region); an admin.
 */
export async function dashboardPeople(app: FastifyInstance, db: Kysely<Database>, world: World) {
  const elsewhere = await createRegion(db, { slug: `elders-${++counter}`, name: `Regio Elders ${counter}` })
  return {
    coordinator: await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] }),
    partnerB: await signedIn(app, db, 'partner', { partnerIds: [world.partners.b] }),
    bridge: await signedIn(app, db, 'bridge', { regionIds: [world.regionId] }),
    stranger: await signedIn(app, db, 'coordinator', { regionIds: [elsewhere] }),
    admin: await signedIn(app, db, 'admin'),
  }
}
