import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, Role } from '../db/types.ts'
import { hashPassword } from './passwords.ts'
import { createUser, findUserByEmail } from './users.ts'

/**
 * One account per role for a demo install, so that a newcomer can look around:
 * an administrator, a coordinator and a bridge figure of every region, and a member of
 * the first partner of the first region. Passwords are random; only their hashes are
 * kept, so a second run (on the same demo database) gives the existing demo accounts new
 * passwords instead of adding accounts, and every run prints logins that work.
 * Returns the lines `demo login: <role> <email> <password>`.
 */
export async function createDemoAccounts(db: Kysely<Database>, domain = 'demo.leervraag.be'): Promise<string[]> {
  const regions = await db.selectFrom('regions').select('id').orderBy('id').execute()
  const regionIds = regions.map((region) => region.id)
  const firstPartner =
    regionIds.length === 0
      ? undefined
      : await db.selectFrom('partners').select('id').where('region_id', '=', regionIds[0]!).orderBy('id').executeTakeFirst()
  const accounts: { role: Role; regionIds: number[]; partnerIds: number[]; name: string }[] = [
    { role: 'admin', regionIds: [], partnerIds: [], name: 'Demo beheerder' },
    { role: 'coordinator', regionIds, partnerIds: [], name: 'Demo coördinator' },
    { role: 'partner', regionIds: [], partnerIds: firstPartner ? [firstPartner.id] : [], name: 'Demo partner' },
    { role: 'bridge', regionIds, partnerIds: [], name: 'Demo brugfiguur' },
  ]
  const lines: string[] = []
  for (const account of accounts) {
    const email = `${account.role}@${domain}`
    const password = randomBytes(12).toString('base64url')
    const passwordHash = await hashPassword(password)
    const existing = await findUserByEmail(db, email)
    if (existing) {
      await db.updateTable('users').set({ password_hash: passwordHash, disabled_at: null }).where('id', '=', existing.id).execute()
    } else {
      await createUser(db, { email, name: account.name, role: account.role, passwordHash, regionIds: account.regionIds, partnerIds: account.partnerIds })
    }
    lines.push(`demo login: ${account.role} ${email} ${password}`)
  }
  return lines
}
