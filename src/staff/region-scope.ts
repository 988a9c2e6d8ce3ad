import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { currentUser, regionInScope } from './access.ts'
import { NotFound } from './errors.ts'
import { idSchema } from './forms.ts'

/**
 * Register inside a plugin mounted under a prefix with `:regionId`
 * (`/admin/regions/:regionId`, `/admin/dashboard/:regionId`): every route of that plugin
 * then has `request.region`, the region loaded once, or answers with the 404 page when the
 * id is malformed, unknown or a region the person does not work in (one answer for all three).
 *
 * It runs at preValidation, after the session lookup, the CSRF check and the sign-in check,
 * and before the route's own params schema (which then only names the route's other ids).
 */
export default fp(
  async function regionScope(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      const parsed = idSchema.safeParse((request.params as { regionId?: unknown }).regionId)
      if (!parsed.success) throw new NotFound()
      request.region = await regionInScope(app.db, currentUser(request), parsed.data)
    })
  },
  { name: 'staff-region-scope', dependencies: ['staff'] },
)
