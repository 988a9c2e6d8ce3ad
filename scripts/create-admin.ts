import { parseArgs } from 'node:util'
import { z } from 'zod'
import { ConfigError, loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { MigrationError, migrateToLatest } from '../src/db/migrate.ts'
import { audit } from '../src/audit/log.ts'
import { createInvitation, invitationLink } from '../src/auth/invitations.ts'
import { findUserByEmail } from '../src/auth/users.ts'

/**
 * `npm run create-admin -- --email x@y`: prints a single-use invitation link for an
 * administrator (the first one, or one more). No mail server is needed: pass the link on.
 */
const { values } = parseArgs({ options: { email: { type: 'string' } } })
const email = z.email().safeParse(values.email?.trim().toLowerCase())
if (!email.success) {
  console.error('usage: npm run create-admin -- --email name@example.be')
  process.exit(2)
}
try {
  const config = loadConfig()
  const database = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(database.db)
    if (await findUserByEmail(database.db, email.data)) {
      console.error(`leervraag: ${email.data} already has an account`)
      process.exit(1)
    }
    const { id, token } = await createInvitation(database.db, { email: email.data, role: 'admin', invitedBy: null })
    await audit(database.db, { userId: null, action: 'invitation.create', resourceType: 'invitation', resourceId: id, detail: { role: 'admin', via: 'create-admin' } })
    console.log(`Invitation for ${email.data} (administrator), valid for 7 days, usable once:`)
    console.log(invitationLink(config.publicBaseUrl, token))
  } finally {
    await database.close()
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(`leervraag: ${error.message}`)
    process.exit(1)
  }
  throw error
}
