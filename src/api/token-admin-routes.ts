import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { Database, Region } from '../db/types.ts'
import { allow, fieldErrors, type FieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffPage } from '../staff/index.ts'
import { createApiToken, listActiveApiTokens, revokeApiToken } from './tokens.ts'

/** The form that names a new token; messages are catalog keys, shown next to the field. */
const tokenForm = z.object({
  name: z.string({ message: 'admin.error.required' }).trim().min(1, 'admin.error.required').max(80, 'admin.error.too_long'),
})

export interface TokenAdminOptions {
  publicBaseUrl: string
}

interface TokenPage {
  token?: string
  values?: FormFields
  errors?: FieldErrors
}

async function tokensPage(db: Kysely<Database>, apiBase: string, request: FastifyRequest, reply: FastifyReply, region: Region, extra: TokenPage = {}, status = 200) {
  const tokens = await listActiveApiTokens(db, region.id)
  return renderStaffPage(
    request,
    reply,
    'api/tokens',
    (t) => t('api.tokens.title_region', { region: region.name }),
    { tokens, values: {}, errors: {}, ...extra, exampleUrl: `${apiBase}/regions/${region.id}/summary`, docsUrl: `${apiBase}/openapi.json` },
    { status },
  )
}

/**
 * /admin/regions/:regionId/api-tokens, under the region scope: coordinators and admins
 * make, list and revoke the region's read-only API tokens. A new token is shown once;
 * afterwards only its hash exists, so a lost token is revoked and replaced, never looked up.
 */
export default async function tokenAdminRoutes(app: FastifyInstance, options: TokenAdminOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const apiBase = `${options.publicBaseUrl.replace(/\/$/, '')}/api/v1`

  routes.get('/api-tokens', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'api-token', regionId: region.id })
    return tokensPage(app.db, apiBase, request, reply, region)
  })

  routes.post('/api-tokens', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'api-token', regionId: region.id })
    const parsed = tokenForm.safeParse(request.body)
    if (!parsed.success) return tokensPage(app.db, apiBase, request, reply, region, { values: request.body, errors: fieldErrors(parsed.error) }, 422)
    const { id, token } = await createApiToken(app.db, { regionId: region.id, name: parsed.data.name, userId: user.id })
    await audit(app.db, { userId: user.id, action: 'api_token.create', resourceType: 'api_token', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
    // The page that shows the token is the answer to the POST (not a redirect to it), so
    // the token never sits in a URL or in the browser's history.
    return tokensPage(app.db, apiBase, request, reply, region, { token })
  })

  routes.post(
    '/api-tokens/:tokenId/revoke',
    { schema: { params: z.object({ tokenId: idSchema }), querystring: pageQuery, body: formBody } },
    async (request, reply) => {
      const region = regionOf(request)
      const user = allow(request, 'manage', { type: 'api-token', regionId: region.id })
      const tokenId = request.params.tokenId
      // Scoped in SQL: another region's token is not found, like one that does not exist.
      if (!(await revokeApiToken(app.db, region.id, tokenId))) throw new NotFound()
      await audit(app.db, { userId: user.id, action: 'api_token.revoke', resourceType: 'api_token', resourceId: tokenId, regionId: region.id })
      return reply.redirect(`/admin/regions/${region.id}/api-tokens`, 303)
    },
  )
}
