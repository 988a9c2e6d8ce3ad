import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { Database, Region } from '../db/types.ts'
import { allow, formBody, idSchema, NotFound, pageQuery, regionOf, renderStaffMessage, renderStaffPage } from '../staff/index.ts'
import { listVisibleThemes, themeLabel } from '../themes/index.ts'
import { confirmPlace, linkOrganizer, mapTerm } from './confirm.ts'
import type { ReportLine } from './event.ts'
import { importFile, maxImportBytes } from './file.ts'
import { boundaryOf, parseMultipart } from './multipart.ts'

/**
 * /admin/regions/:regionId/imports: a coordinator uploads a Search API v3 result or an .ics
 * file, sees the report of the run, the earlier runs, and confirms what the importer cannot
 * decide alone (a new place, an organizer's partner, a term's theme).
 *
 * The upload is multipart/form-data (a file input needs it without JavaScript), read by our
 * own bounded reader in this plugin only: the body limit here is the 20 MB of the issue plus
 * room for the form's other fields; everywhere else the app keeps its 16 KB.
 */

const uploadLimit = maxImportBytes + 64 * 1024

// The multipart reader hands the route one object; zod checks it as for any other route.
const uploadBody = z.object({
  _csrf: z.string().optional(),
  partner_id: z.string().optional(),
  file: z.custom<{ fileName: string; data: Buffer }>((value) => typeof value === 'object' && value !== null && Buffer.isBuffer((value as { data?: unknown }).data)).optional(),
})
const runParams = z.object({ runId: idSchema })
const placeParams = z.object({ placeId: idSchema })
const organizerParams = z.object({ organizerId: idSchema })
const termParams = z.object({ termId: idSchema })
const choice = z.object({ target: z.string().regex(/^(new|none|\d{1,9})$/) })

export default async function importRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const base = (region: Region) => `/admin/regions/${region.id}/imports`

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: uploadLimit }, (request, body, done) => {
    const boundary = boundaryOf(request.headers['content-type'])
    const form = boundary ? parseMultipart(body as Buffer, boundary) : null
    if (!form) {
      done(Object.assign(new Error('malformed multipart body'), { statusCode: 400 }), undefined)
      return
    }
    done(null, { ...form.fields, ...(form.files.file ? { file: form.files.file } : {}) })
  })

  routes.get('/imports', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'import', regionId: region.id })
    return uploadPage(db, request, reply, region, {})
  })

  routes.post('/imports', { bodyLimit: uploadLimit, schema: { querystring: pageQuery, body: uploadBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'import', regionId: region.id })
    const { file, partner_id } = request.body
    if (!file || file.data.length === 0) return uploadPage(db, request, reply, region, { file: 'imports.error.no_file' }, 422)
    let defaultPartnerId: number | null = null
    if (partner_id) {
      const partner = await db.selectFrom('partners').select('id').where('region_id', '=', region.id).where('id', '=', Number(partner_id)).executeTakeFirst()
      if (!partner) return uploadPage(db, request, reply, region, { partner_id: 'admin.error.invalid' }, 422)
      defaultPartnerId = partner.id
    }
    const result = await importFile(db, file.data, { regionId: region.id, userId: user.id, fileName: file.fileName.slice(0, 300), defaultPartnerId })
    await audit(db, { userId: user.id, action: 'import.run', resourceType: 'import_run', resourceId: result.runId, regionId: region.id })
    return reply.redirect(`${base(region)}/runs/${result.runId}`, 303)
  })

  routes.get('/imports/runs/:runId', { schema: { params: runParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'import', regionId: region.id })
    const run = await db.selectFrom('import_runs').selectAll().where('region_id', '=', region.id).where('id', '=', request.params.runId).executeTakeFirst()
    if (!run) throw new NotFound()
    const lines = JSON.parse(run.report) as ReportLine[]
    return renderStaffPage(request, reply, 'imports/run', 'imports.run.title', { run, lines })
  })

  routes.get('/imports/links', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'import', regionId: region.id })
    const [places, organizers, terms, locations, partners, themes, pending] = await Promise.all([
      db.selectFrom('import_places').selectAll().where('region_id', '=', region.id).where('location_id', 'is', null).orderBy('name').execute(),
      db.selectFrom('import_organizers').selectAll().where('region_id', '=', region.id).orderBy('name').execute(),
      db.selectFrom('import_terms').selectAll().where('region_id', '=', region.id).orderBy('label').execute(),
      db.selectFrom('locations').select(['id', 'name']).where('region_id', '=', region.id).orderBy('name').execute(),
      db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', region.id).orderBy('name').execute(),
      listVisibleThemes(db, region.id),
      db.selectFrom('import_pending').select(['reason', 'place_external_id', 'organizer_external_id']).where('region_id', '=', region.id).execute(),
    ])
    // Counted by what each event waits for: an event held for its place is not waiting for its organizer.
    const waitingFor = (key: 'place_external_id' | 'organizer_external_id', id: string) =>
      pending.filter((row) => row.reason === (key === 'place_external_id' ? 'place' : 'organizer') && row[key] === id).length
    return renderStaffPage(request, reply, 'imports/links', 'imports.links.title', {
      places: places.map((place) => ({ ...place, waiting: waitingFor('place_external_id', place.external_id) })),
      organizers: organizers.map((organizer) => ({ ...organizer, waiting: waitingFor('organizer_external_id', organizer.external_id) })),
      terms,
      locations,
      partners,
      themes: themes.map((theme) => ({ id: theme.id, label: themeLabel(theme, 'nl') })),
    })
  })

  // The three confirmations: a fixed set of values ('new', 'none' or an id of this region); anything else was not sent by the page.
  routes.post('/imports/places/:placeId', { schema: { params: placeParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'import', regionId: region.id })
    const parsed = choice.safeParse(request.body)
    if (!parsed.success || parsed.data.target === 'none') return badChoice(request, reply)
    const target = parsed.data.target === 'new' ? 'new' : { locationId: Number(parsed.data.target) }
    const exists = await db.selectFrom('import_places').select('id').where('region_id', '=', region.id).where('id', '=', request.params.placeId).executeTakeFirst()
    if (!exists) throw new NotFound()
    const result = await confirmPlace(db, region.id, request.params.placeId, target, user.id)
    await audit(db, { userId: user.id, action: 'import.place', resourceType: 'import_place', resourceId: request.params.placeId, regionId: region.id })
    return reply.redirect(result ? `${base(region)}/runs/${result.runId}` : `${base(region)}/links`, 303)
  })

  routes.post('/imports/organizers/:organizerId', { schema: { params: organizerParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'import', regionId: region.id })
    const parsed = choice.safeParse(request.body)
    if (!parsed.success || parsed.data.target === 'new') return badChoice(request, reply)
    const exists = await db.selectFrom('import_organizers').select('id').where('region_id', '=', region.id).where('id', '=', request.params.organizerId).executeTakeFirst()
    if (!exists) throw new NotFound()
    const partnerId = parsed.data.target === 'none' ? null : Number(parsed.data.target)
    if (partnerId !== null && !(await db.selectFrom('partners').select('id').where('region_id', '=', region.id).where('id', '=', partnerId).executeTakeFirst())) return badChoice(request, reply)
    const result = await linkOrganizer(db, region.id, request.params.organizerId, partnerId, user.id)
    await audit(db, { userId: user.id, action: 'import.organizer', resourceType: 'import_organizer', resourceId: request.params.organizerId, regionId: region.id })
    return reply.redirect(result ? `${base(region)}/runs/${result.runId}` : `${base(region)}/links`, 303)
  })

  routes.post('/imports/terms/:termId', { schema: { params: termParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'import', regionId: region.id })
    const parsed = choice.safeParse(request.body)
    if (!parsed.success || parsed.data.target === 'new') return badChoice(request, reply)
    const exists = await db.selectFrom('import_terms').select('id').where('region_id', '=', region.id).where('id', '=', request.params.termId).executeTakeFirst()
    if (!exists) throw new NotFound()
    if (!(await mapTerm(db, region.id, request.params.termId, parsed.data.target === 'none' ? null : Number(parsed.data.target)))) return badChoice(request, reply)
    await audit(db, { userId: user.id, action: 'import.term', resourceType: 'import_term', resourceId: request.params.termId, regionId: region.id })
    return reply.redirect(`${base(region)}/links`, 303)
  })
}

function badChoice(request: FastifyRequest, reply: FastifyReply) {
  return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'admin.bad_request.body' }, { field: 'target' })
}

async function uploadPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, errors: Record<string, string>, status = 200) {
  const [runs, partners, waiting] = await Promise.all([
    db.selectFrom('import_runs').selectAll().where('region_id', '=', region.id).orderBy('id', 'desc').limit(50).execute(),
    db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', region.id).orderBy('name').execute(),
    db.selectFrom('import_pending').select(db.fn.countAll<number>().as('n')).where('region_id', '=', region.id).executeTakeFirstOrThrow(),
  ])
  return renderStaffPage(request, reply, 'imports/upload', 'imports.title', { runs, partners, waiting: Number(waiting.n), errors, maxMb: maxImportBytes / 1024 / 1024 }, { status })
}
