import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { disclosureTerms } from '../answers/index.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import type { Database } from '../db/types.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import { defaultLanguage, type Language, languages } from '../i18n/i18n.ts'
import { currentUser, idSchema, NotFound, pageQuery, renderStaffMessage, renderStaffPage } from '../staff/index.ts'
import { maxPostersPerPdf } from './batch.ts'
import { coverKinds, findCover, reachOf } from './batch-cover.ts'
import { attachment, batchFileName, posterFileName } from './downloads.ts'
import { activityFunnels, posterFunnels } from './funnel.ts'
import { labelStocks, posterFormats, isStickerFormat } from './layouts.ts'
import { PdfRenderer } from './pdf-renderer.ts'
import { posterLanguages, type PosterContent, type PrintOptions } from './poster-layout.ts'
import { posterSvg } from './poster-svg.ts'
import { countPrintablePosters, findPrintablePoster, type PrintablePoster, printablePosters } from './queries.ts'
import { qrUrl } from './qr.ts'
import { errorCorrections, pngSizes, qrPng, qrSvgDocument, qrSymbol } from './qr-vector.ts'

export interface PosterRoutesOptions {
  publicBaseUrl: string
}

/**
 * The print choices of the query string. The route schema only fixes their shape (text,
 * once each); their values are checked in the handler, so that the 400 page can list the
 * values that work and a hand-edited download link can be mended.
 */
const choiceQuery = pageQuery.extend({
  format: z.string().max(32).optional(),
  // Not `lang`: that one is the page's own language everywhere in the app.
  language: z.string().max(16).optional(),
  language2: z.string().max(16).optional(),
  ec: z.string().max(8).optional(),
  stickers: z.string().max(16).optional(),
  size: z.string().max(16).optional(),
  inline: z.string().max(8).optional(),
})

/** What a batch or the funnel covers: an activity, a location, a partner or a region (ids, as in a path). */
const covers = { activity: idSchema.optional(), location: idSchema.optional(), partner: idSchema.optional(), region: idSchema.optional() }
// `part`: which share of a batch larger than one PDF holds (see maxPostersPerPdf).
const batchQuery = choiceQuery.extend({ ...covers, part: z.string().max(8).optional() })
const funnelQuery = pageQuery.extend({ activity: covers.activity, partner: covers.partner, region: covers.region })

const posterParams = z.object({ id: idSchema })

/** The values each print choice takes. */
function choiceSchema(offered: readonly Language[]) {
  const language = z.enum(offered as [Language, ...Language[]])
  return z.object({
    format: z.enum(posterFormats).default('a4'),
    language: language.optional(),
    language2: z.union([language, z.literal('')]).optional(),
    ec: z.enum(errorCorrections).default('M'),
    stickers: z.enum(['sheet', 'one']).default('sheet'),
    size: z.coerce.number().int().min(pngSizes.min).max(pngSizes.max).default(1024),
    inline: z.literal('1').optional(),
  })
}

type Choice = z.infer<ReturnType<typeof choiceSchema>>

/** The two sizes of the bare QR as PNG the print page offers: for a screen, and for print. */
const pngChoices = [1024, 4096] as const

/** One poster, if this person may print it; an unknown poster and one out of reach are the same 404 page. */
async function posterFor(db: Kysely<Database>, request: FastifyRequest, posterId: number): Promise<PrintablePoster> {
  const poster = await findPrintablePoster(db, posterId)
  if (!poster || !can(currentUser(request), 'view', { type: 'poster', regionId: poster.regionId, partnerId: poster.partnerId })) throw new NotFound()
  return poster
}

const content = (poster: PrintablePoster): PosterContent => ({
  code: poster.code,
  activityTitle: poster.activityTitle,
  locationName: poster.locationName,
  audience: poster.audience,
})

/** The batch named by the query: exactly one of activity, location, partner, region. */
function coverOf(query: Partial<Record<(typeof coverKinds)[number], number | undefined>>): { kind: (typeof coverKinds)[number]; id: number } | 'none' | 'several' {
  const named = coverKinds.filter((kind) => query[kind] !== undefined)
  if (named.length === 0) return 'none'
  if (named.length > 1) return 'several'
  return { kind: named[0]!, id: query[named[0]!]! }
}

/** The batch page of a cover. */
function batchPage(cover: { kind: (typeof coverKinds)[number]; id: number }): string {
  return `/admin/posters/batch/${cover.kind}/${cover.id}`
}

/**
 * /admin/posters: the print page with format and language choice, a preview of the real
 * poster (SVG), downloads (PDF, bare QR as SVG and PNG), batches, and the scan funnel. Who
 * may print which poster is `can(user, 'view', { type: 'poster' })`; a poster out of reach
 * gets the same 404 page as one that does not exist.
 */
export default async function posterRoutes(app: FastifyInstance, options: PosterRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const offered = posterLanguages()
  const choices = choiceSchema(offered)
  const validValues: Record<string, string> = {
    format: posterFormats.join(', '),
    language: offered.join(', '),
    language2: offered.join(', '),
    ec: errorCorrections.join(', '),
    stickers: 'sheet, one',
    size: `${pngSizes.min}–${pngSizes.max}`,
    inline: '1',
  }
  // The funnel's cell keys (funnel.ts) use a secret of their own, read once.
  let funnelSecret: Promise<string> | undefined
  const funnelOptions = async () => ({ secret: await (funnelSecret ??= loadOrCreateSecret(db, 'funnel-cell-key')) })
  // Draws the PDFs in a worker thread, closed with the app.
  const renderer = new PdfRenderer()
  app.addHook('onClose', () => renderer.close())
  // Pay the font's start-up cost while nobody waits for a poster.
  app.addHook('onReady', () => void renderer.warmUp().catch((error: unknown) => app.log.warn({ err: error }, 'PDF worker did not start')))

  /** Unknown format, language, size…: the 400 page with the values that work, in the person's language. */
  function parseChoice(request: FastifyRequest, reply: FastifyReply): Choice | undefined {
    const parsed = choices.safeParse(request.query)
    if (parsed.success) return parsed.data
    const field = String(parsed.error.issues[0]?.path[0] ?? 'format')
    void renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'poster.error.invalid' }, { field, valid: validValues[field] ?? '' })
    return undefined
  }

  function printOptions(choice: Choice, posterLanguage: string | null | undefined): PrintOptions {
    const first = choice.language ?? offered.find((language) => language === posterLanguage) ?? defaultLanguage
    const second = choice.language2 ? choice.language2 : undefined
    return {
      format: choice.format,
      languages: second && second !== first ? [first, second] : [first],
      errorCorrection: choice.ec,
      publicBaseUrl: options.publicBaseUrl,
      stickers: choice.stickers,
    }
  }

  /** The choices as the form's fields: what the print page and the batch page show. */
  function formChoices(choice: Choice, print: PrintOptions) {
    return {
      choice: { ...choice, language: print.languages[0], language2: print.languages[1] ?? '' },
      formats: posterFormats.map((value) => ({ value, example: isStickerFormat(value) ? labelStocks[value].example : '' })),
      languages: offered.map((value) => ({ value, label: languages[value].name })),
      // Languages whose script the poster font lacks: named, not offered.
      notOffered: (Object.keys(languages) as Language[]).filter((language) => !offered.includes(language)).map((language) => languages[language].name),
      errorCorrections,
    }
  }

  const single = { params: posterParams, querystring: choiceQuery }

  // A retired poster can still be downloaded by its owner (to reprint it for the archive,
  // say); the preview marks it as retired.
  routes.get('/posters/:id/poster.pdf', { schema: single }, async (request, reply) => {
    const poster = await posterFor(db, request, request.params.id)
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const pdf = await renderer.poster(content(poster), printOptions(choice, poster.language))
    const name = posterFileName(poster, 'pdf')
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', choice.inline ? `inline; filename="${name}"` : attachment(name))
      .send(pdf)
  })

  /**
   * The poster's first page as SVG, drawn from the same layout as the PDF, for the print
   * page's preview. The page shows it with <img>, where a browser runs no script in an SVG
   * whatever it holds; opened on its own it is a document of its own, so it gets a CSP that
   * allows nothing but its inline presentation attributes. Its texts are escaped (poster-svg.ts).
   */
  routes.get('/posters/:id/preview.svg', { schema: single }, async (request, reply) => {
    const poster = await posterFor(db, request, request.params.id)
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const svg = posterSvg(content(poster), printOptions(choice, poster.language), `${poster.activityTitle} · ${poster.locationName}`)
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('content-disposition', `inline; filename="${posterFileName(poster, 'svg')}"`)
      .send(svg)
  })

  routes.get('/posters/:id/qr.svg', { schema: single }, async (request, reply) => {
    const poster = await posterFor(db, request, request.params.id)
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(posterFileName(poster, 'svg')))
      .send(qrSvgDocument(qrSymbol(qrUrl(options.publicBaseUrl, poster.code), choice.ec), choice.size))
  })

  routes.get('/posters/:id/qr.png', { schema: single }, async (request, reply) => {
    const poster = await posterFor(db, request, request.params.id)
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const png = await qrPng(qrSymbol(qrUrl(options.publicBaseUrl, poster.code), choice.ec), choice.size)
    return reply
      .type('image/png')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(posterFileName(poster, 'png')))
      .send(png)
  })

  /**
   * What a batch request names, checked: the choices, one cover in reach (else the 404
   * page, the same for an unknown id), and the number of its posters.
   */
  async function batchRequest(request: FastifyRequest, reply: FastifyReply, named: ReturnType<typeof coverOf>) {
    const choice = parseChoice(request, reply)
    if (!choice) return undefined
    if (named === 'none' || named === 'several') {
      void renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'poster.error.batch_scope' })
      return undefined
    }
    const cover = await findCover(db, currentUser(request), named.kind, named.id)
    if (!cover) throw new NotFound()
    const count = await countPrintablePosters(db, cover.filter)
    const parts = Math.ceil(count / maxPostersPerPdf)
    return { choice, cover, count, parts }
  }

  /**
   * Every poster of an activity, location, partner or region, one per page, in one
   * streamed PDF of at most `maxPostersPerPdf` posters (`part` picks the share of a larger
   * batch). An empty batch and a large batch without `part` go back to the batch page,
   * which says why, rather than to an empty or a cut-off PDF.
   */
  routes.get('/posters/batch.pdf', { schema: { querystring: batchQuery } }, async (request, reply) => {
    const batch = await batchRequest(request, reply, coverOf(request.query))
    if (!batch) return reply
    const { choice, cover, count, parts } = batch
    const rawPart = request.query.part
    const part = rawPart === undefined ? (parts === 1 ? 1 : undefined) : /^[1-9]\d*$/.test(rawPart) ? Number(rawPart) : Number.NaN
    if (count === 0 || part === undefined) {
      const page = new URL(request.url, 'http://x')
      page.searchParams.delete('part')
      page.searchParams.delete(cover.kind)
      return reply.redirect(`${batchPage(cover)}${page.search}`, 303)
    }
    if (!Number.isInteger(part) || part < 1 || part > parts) {
      return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'poster.error.invalid' }, { field: 'part', valid: parts === 1 ? '1' : `1–${parts}` })
    }
    const posters = await printablePosters(db, cover.filter, { limit: maxPostersPerPdf, offset: (part - 1) * maxPostersPerPdf })
    const print = printOptions(choice, posters[0]!.language)
    const stream = renderer.batch(posters.map(content), print, cover.name)
    const name = batchFileName(parts > 1 ? `${cover.name} ${part}` : cover.name, choice.format)
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(name))
      .send(stream)
  })

  /**
   * The batch page: what a batch holds, the same choices as a single poster, and its
   * download (in parts when large). The cover is in the path (`/admin/posters/batch/location/3`),
   * so that the language links (`?lang=en`) keep it.
   */
  for (const kind of coverKinds) {
    const params = z.object({ [`${kind}Id`]: idSchema }) as z.ZodObject<Record<string, typeof idSchema>>
    routes.get(`/posters/batch/${kind}/:${kind}Id`, { schema: { params, querystring: choiceQuery } }, async (request, reply) => {
      const id = (request.params as Record<string, number>)[`${kind}Id`]!
      const batch = await batchRequest(request, reply, { kind, id })
      if (!batch) return reply
      const { choice, cover, count, parts } = batch
      const posters = count > 0 && count <= maxPostersPerPdf ? await printablePosters(db, cover.filter) : []
      const print = printOptions(choice, posters[0]?.language)
      return renderStaffPage(
        request,
        reply,
        'posters/batch',
        (t) => t(`poster.batch.title.${cover.kind}`, { name: cover.name }),
        {
          ...formChoices(choice, print),
          pageStyle: 'print',
          cover,
          count,
          posters,
          ownOnly: partnerScope(currentUser(request)) !== 'all',
          max: maxPostersPerPdf,
          parts: Array.from({ length: parts }, (_, index) => ({
            part: index + 1,
            from: index * maxPostersPerPdf + 1,
            to: Math.min(count, (index + 1) * maxPostersPerPdf),
          })),
          pageAction: batchPage(cover),
          pdfAction: '/admin/posters/batch.pdf',
        },
        { region: { id: cover.regionId, name: cover.regionName } },
      )
    })
  }

  routes.get('/posters/:id', { schema: single }, async (request, reply) => {
    const poster = await posterFor(db, request, request.params.id)
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const print = printOptions(choice, poster.language)
    const params = new URLSearchParams({ format: print.format, language: print.languages[0], ec: print.errorCorrection, stickers: choice.stickers })
    if (print.languages[1]) params.set('language2', print.languages[1])
    const base = `/admin/posters/${poster.id}`
    const funnels = await posterFunnels(db, { ...reachOf(currentUser(request)), regionId: poster.regionId, activityId: poster.activityId }, await funnelOptions())
    return renderStaffPage(
      request,
      reply,
      'posters/preview',
      (t) => t('poster.preview.title', { code: poster.code }),
      {
        ...formChoices(choice, print),
        pageStyle: 'print',
        poster,
        retired: poster.status === 'retired',
        base,
        previewSrc: `${base}/preview.svg?${params}`,
        pngChoices,
        funnel: funnels.find((row) => row.posterId === poster.id),
        disclosure: disclosureTerms,
      },
      // The poster's region menu: the poster belongs to it, even though its address does not name it.
      { region: { id: poster.regionId, name: poster.regionName } },
    )
  })

  /** The funnel of every poster in reach, and per activity, for the poster list. */
  routes.get('/posters/funnel.json', { schema: { querystring: funnelQuery } }, async (request, reply) => {
    const { activity, partner, region } = request.query
    const posters = await posterFunnels(db, { ...reachOf(currentUser(request)), activityId: activity, partnerId: partner, regionId: region }, await funnelOptions())
    // An activity, partner or region out of reach looks the same as one that does not exist.
    if ((activity ?? partner ?? region) !== undefined && posters.length === 0) throw new NotFound()
    return reply.header('cache-control', 'private, no-store').send({ posters, activities: activityFunnels(posters) })
  })
}
