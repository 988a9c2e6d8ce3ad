import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { allow, regionFromUrl } from '../admin/access.ts'
import { fieldErrors, idParam, NotFound, renderAdmin } from '../admin/render.ts'
import type { Region } from '../db/types.ts'
import type { Translate } from '../i18n/i18n.ts'
import { createApiToken, listActiveApiTokens, revokeApiToken } from './tokens.ts'

const tokenBody = z.object({
  name: z.string().trim().min(1, 'admin.error.required').max(80, 'admin.error.too_long'),
})

export interface TokenAdminOptions {
  publicBaseUrl: string
}

/**
 * /admin/regions/:regionId/api-tokens: coordinators and admins make, list and revoke the
 * region's read-only API tokens. A new token is shown once; afterwards only its hash
 * exists, so a lost token is revoked and replaced, never looked up.
 */
export default async function tokenAdminRoutes(app: FastifyInstance, options: TokenAdminOptions) {
  const apiBase = `${options.publicBaseUrl.replace(/\/$/, '')}/api/v1`

  async function page(request: FastifyRequest, reply: FastifyReply, region: Region, extra: { token?: string; values?: object; errors?: object } = {}, status = 200) {
    const tokens = await listActiveApiTokens(app.db, region.id)
    return renderAdmin(
      request,
      reply,
      'api/tokens',
      (t) => (t as Translate)('api.tokens.title_region', { region: region.name }),
      { tokens, values: {}, errors: {}, ...extra, exampleUrl: `${apiBase}/regions/${region.id}/summary`, docsUrl: `${apiBase}/openapi.json` },
      { status, region },
    )
  }

  app.get('/api-tokens', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    allow(request, 'manage', { type: 'region', regionId: region.id })
    return page(request, reply, region)
  })

  app.post('/api-tokens', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = tokenBody.safeParse(body)
    if (!parsed.success) return page(request, reply, region, { values: body, errors: fieldErrors(parsed.error) }, 422)
    const { id, token } = await createApiToken(app.db, { regionId: region.id, name: parsed.data.name, userId: user.id })
    await audit(app.db, { userId: user.id, action: 'api_token.create', resourceType: 'api_token', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
    // The page that shows the token is the answer to the POST (not a redirect to it), so
    // the token never sits in a URL or in the browser's history.
    return page(request, reply, region, { token })
  })

  app.post<{ Params: { regionId: string; tokenId: string } }>('/api-tokens/:tokenId/revoke', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const tokenId = idParam(request.params.tokenId)
    if (!(await revokeApiToken(app.db, region.id, tokenId))) throw new NotFound()
    await audit(app.db, { userId: user.id, action: 'api_token.revoke', resourceType: 'api_token', resourceId: tokenId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/api-tokens`, 303)
  })
}
