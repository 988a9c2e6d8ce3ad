import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { defaultLanguage, type Language, languages, type Translate, translator } from '../i18n/i18n.ts'
import { requestLanguage } from '../http/views.ts'
import { attachment, batchFileName, posterFileName } from './downloads.ts'
import { activityFunnels, posterFunnels } from './funnel.ts'
import { labelStocks, posterFormats, type PosterFormat, isStickerFormat } from './layouts.ts'
import { PdfRenderer } from './pdf-renderer.ts'
import { posterLanguages, type PosterContent, type PrintOptions } from './poster-pdf.ts'
import { findPrintablePoster, type PrintablePoster, printablePosters } from './queries.ts'
import { qrUrl, shortUrl } from './qr.ts'
import { errorCorrections, pngSizes, qrPng, qrSvgDocument, qrSymbol } from './qr-vector.ts'
import { type PosterScope, posterInScope } from './scope.ts'

/**
 * The poster pages of the management area: preview, format and language choice,
 * downloads (PDF, bare QR as SVG and PNG), batches, and the scan funnel.
 *
 * Who may see which poster is not decided here: the app passes `resolveScope`, which
 * turns the signed-in person into the regions and partners they may reach (the accounts
 * work). A poster outside that scope gets the same 404 as a poster that does not exist.
 */
export interface PosterRoutesOptions {
  publicBaseUrl: string
  resolveScope(request: FastifyRequest): PosterScope | Promise<PosterScope>
  /** Draws the PDFs; one in a worker thread by default, closed with the app. */
  renderer?: PdfRenderer
  /**
   * Renders the preview page; by default a plain page of its own. The management area
   * passes its own renderer (layout, menu, language, CSRF token), which gets the page's
   * data without `lang`, `t` and `title` (the renderer sets those) and with the layout
   * to use in `layoutName`, e.g. `(request, reply, template, data) =>
   * renderAdmin(request, reply, template, () => title, { ...data, layoutName: '/layouts/admin' })`.
   */
  renderPage?(request: FastifyRequest, reply: FastifyReply, template: string, data: Omit<PreviewPage, 'lang' | 't' | 'title'>, title: string): unknown
}

export interface PreviewPage {
  lang: Language
  t: Translate
  title: string
  poster: PrintablePoster
  retired: boolean
  choice: Choice
  formats: { value: PosterFormat; label: string }[]
  languages: { value: Language; label: string }[]
  /** Languages whose script the poster font lacks, with the sentence that says so. */
  notOffered: string[]
  errorCorrections: readonly string[]
  question: string[]
  shortUrl: string
  /** The bare QR as inline SVG, generated from the module matrix (no user text in it). */
  qrSvg: string
  links: { pdf: string; svg: string; png: string }
  pngSizes: { min: number; max: number }
  funnel: Awaited<ReturnType<typeof posterFunnels>>[number] | undefined
}

const idParams = z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) })

/** The print choices, from the query string; each field says which values it takes. */
function choiceSchema(offered: readonly Language[]) {
  const language = z.enum(offered as [Language, ...Language[]])
  return z.object({
    format: z.enum(posterFormats).default('a4'),
    // Not `lang`: that one is the page's own language everywhere in the app.
    language: language.optional(),
    language2: z.union([language, z.literal('')]).optional(),
    ec: z.enum(errorCorrections).default('M'),
    stickers: z.enum(['sheet', 'one']).default('sheet'),
    size: z.coerce.number().int().min(pngSizes.min).max(pngSizes.max).default(1024),
    inline: z.literal('1').optional(),
  })
}

type Choice = z.infer<ReturnType<typeof choiceSchema>>

const batchQuery = z
  .object({
    activity: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    partner: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    region: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
  })
  .passthrough()

export default async function posterRoutes(app: FastifyInstance, options: PosterRoutesOptions) {
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
  const renderer = options.renderer ?? new PdfRenderer()
  if (options.renderer === undefined) app.addHook('onClose', () => renderer.close())
  // Pay the font's start-up cost while nobody waits for a poster.
  app.addHook('onReady', () => void renderer.warmUp().catch((error: unknown) => app.log.warn({ err: error }, 'PDF worker did not start')))

  /**
   * Unknown format, language, size…: 400 with the values that work, in the person's
   * language, so a hand-edited download link can be mended.
   */
  function parseChoice(request: FastifyRequest, reply: FastifyReply): Choice | undefined {
    const parsed = choices.safeParse(request.query)
    if (parsed.success) return parsed.data
    const field = String(parsed.error.issues[0]?.path[0] ?? 'format')
    const t = translator(requestLanguage(request))
    void reply
      .code(400)
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(t('poster.error.invalid', { field, valid: validValues[field] ?? '' }))
    return undefined
  }

  async function posterInReach(request: FastifyRequest, reply: FastifyReply): Promise<PrintablePoster | undefined> {
    const params = idParams.safeParse(request.params)
    const poster = params.success ? await findPrintablePoster(app.db, params.data.id) : undefined
    if (poster === undefined || !posterInScope(poster, await options.resolveScope(request))) {
      void reply.code(404).type('text/plain; charset=utf-8').send(translator(requestLanguage(request))('page.not_found.title'))
      return undefined
    }
    return poster
  }

  function printLanguages(choice: Choice, poster: PrintablePoster): PrintOptions['languages'] {
    const posterLanguage = offered.find((language) => language === poster.language)
    const first = choice.language ?? posterLanguage ?? defaultLanguage
    const second = choice.language2 ? choice.language2 : undefined
    return second && second !== first ? [first, second] : [first]
  }

  function printOptions(choice: Choice, poster: PrintablePoster): PrintOptions {
    return {
      format: choice.format,
      languages: printLanguages(choice, poster),
      errorCorrection: choice.ec,
      publicBaseUrl: options.publicBaseUrl,
      stickers: choice.stickers,
    }
  }

  const content = (poster: PrintablePoster): PosterContent => ({
    code: poster.code,
    activityTitle: poster.activityTitle,
    locationName: poster.locationName,
    audience: poster.audience,
  })

  // A retired poster can still be downloaded by its owner (to reprint it for the archive,
  // say); the preview marks it as retired.
  app.get('/posters/:id/poster.pdf', async (request, reply) => {
    const poster = await posterInReach(request, reply)
    if (!poster) return reply
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const pdf = await renderer.poster(content(poster), printOptions(choice, poster))
    const name = posterFileName(poster, 'pdf')
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', choice.inline ? `inline; filename="${name}"` : attachment(name))
      .send(pdf)
  })

  app.get('/posters/:id/qr.svg', async (request, reply) => {
    const poster = await posterInReach(request, reply)
    if (!poster) return reply
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(posterFileName(poster, 'svg')))
      .send(qrSvgDocument(qrSymbol(qrUrl(options.publicBaseUrl, poster.code), choice.ec), choice.size))
  })

  app.get('/posters/:id/qr.png', async (request, reply) => {
    const poster = await posterInReach(request, reply)
    if (!poster) return reply
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const png = await qrPng(qrSymbol(qrUrl(options.publicBaseUrl, poster.code), choice.ec), choice.size)
    return reply
      .type('image/png')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(posterFileName(poster, 'png')))
      .send(png)
  })

  /** Every poster of an activity, a partner or a region, in one streamed PDF. */
  app.get('/posters/batch.pdf', async (request, reply) => {
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const query = batchQuery.safeParse(request.query)
    const t = translator(requestLanguage(request))
    if (!query.success || (query.data.activity ?? query.data.partner ?? query.data.region) === undefined) {
      return reply.code(400).type('text/plain; charset=utf-8').send(t('poster.error.batch_scope'))
    }
    const reach = await options.resolveScope(request)
    const posters = await printablePosters(app.db, {
      ...reach,
      activityId: query.data.activity,
      partnerId: query.data.partner,
      regionId: query.data.region,
    })
    // Nothing printable in reach: the same 404 whether the activity is someone else's or unknown.
    if (posters.length === 0) return reply.code(404).type('text/plain; charset=utf-8').send(t('page.not_found.title'))
    const name = await batchName(query.data, posters)
    const first = posters[0]!
    const stream = renderer.batch(posters.map(content), printOptions(choice, first), name)
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(batchFileName(name, choice.format)))
      .send(stream)
  })

  async function batchName(query: { activity?: number; partner?: number; region?: number }, posters: PrintablePoster[]): Promise<string> {
    if (query.activity !== undefined) return posters[0]!.activityTitle
    if (query.partner !== undefined) {
      const row = await app.db.selectFrom('partners').select('name').where('id', '=', query.partner).executeTakeFirst()
      return row?.name ?? 'partner'
    }
    const row = await app.db.selectFrom('regions').select('name').where('id', '=', query.region!).executeTakeFirst()
    return row?.name ?? 'region'
  }

  app.get('/posters/:id', async (request, reply) => {
    const poster = await posterInReach(request, reply)
    if (!poster) return reply
    const choice = parseChoice(request, reply)
    if (!choice) return reply
    const lang = requestLanguage(request)
    const t = translator(lang)
    const print = printOptions(choice, poster)
    const question = print.languages.map((language) =>
      translator(language)(poster.audience === 'children' ? 'step1.question.children' : 'step1.question'),
    )
    const params = new URLSearchParams({ format: choice.format, ec: choice.ec, language: print.languages[0], stickers: choice.stickers })
    if (print.languages[1]) params.set('language2', print.languages[1])
    const base = `${request.url.split('?')[0]}`
    const [funnel] = await posterFunnels(app.db, { regionId: poster.regionId, activityId: poster.activityId, ...(await options.resolveScope(request)) })
      .then((rows) => rows.filter((row) => row.posterId === poster.id))
    const page: PreviewPage = {
      lang,
      t,
      title: t('poster.preview.title', { code: poster.code }),
      poster,
      retired: poster.status === 'retired',
      choice: { ...choice, language: print.languages[0], language2: print.languages[1] ?? '' },
      formats: posterFormats.map((value) => ({
        value,
        label: t(`poster.format.${value}`, isStickerFormat(value) ? { example: labelStocks[value].example } : {}),
      })),
      languages: offered.map((value) => ({ value, label: languages[value].name })),
      notOffered: (Object.keys(languages) as Language[])
        .filter((language) => !offered.includes(language))
        .map((language) => t('poster.language_not_offered', { language: languages[language].name })),
      errorCorrections,
      question,
      shortUrl: shortUrl(options.publicBaseUrl, poster.code),
      qrSvg: qrSvgDocument(qrSymbol(qrUrl(options.publicBaseUrl, poster.code), choice.ec), 240).replace(/^<\?xml[^>]*>\n/, ''),
      links: {
        pdf: `${base}/poster.pdf?${params}`,
        svg: `${base}/qr.svg?ec=${choice.ec}&size=${choice.size}`,
        png: `${base}/qr.png?ec=${choice.ec}&size=${choice.size}`,
      },
      pngSizes,
      funnel,
    }
    reply.header('cache-control', 'private, no-store')
    if (options.renderPage) {
      const { lang: _lang, t: _t, title, ...data } = page
      return options.renderPage(request, reply, 'posters/preview', data, title)
    }
    return reply.view('posters/preview', page)
  })

  /** The funnel of every poster in reach, and per activity, for the poster list. */
  app.get('/posters/funnel.json', async (request, reply) => {
    const query = batchQuery.safeParse(request.query)
    const t = translator(requestLanguage(request))
    if (!query.success) return reply.code(400).type('text/plain; charset=utf-8').send(t('poster.error.batch_scope'))
    const filters = { activityId: query.data.activity, partnerId: query.data.partner, regionId: query.data.region }
    const posters = await posterFunnels(app.db, { ...(await options.resolveScope(request)), ...filters })
    // An activity, partner or region out of reach looks the same as one that does not exist.
    const named = filters.activityId !== undefined || filters.partnerId !== undefined || filters.regionId !== undefined
    if (named && posters.length === 0) return reply.code(404).type('text/plain; charset=utf-8').send(t('page.not_found.title'))
    return reply.header('cache-control', 'private, no-store').send({ posters, activities: activityFunnels(posters) })
  })
}
