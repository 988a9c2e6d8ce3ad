import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { type Language, isLanguage, type MessageKey, translator } from '../i18n/i18n.ts'
import { languageSwitcher, pageContext, rememberLanguage, requestLanguage } from '../http/views.ts'
import { normalizeCode } from '../posters/codes.ts'
import { qrSvg, qrUrl } from '../posters/qr.ts'
import { signAnswerToken, verifyAnswerToken } from './answer-token.ts'
import { amendResponse, type PosterForm } from './queries.ts'
import {
  ageBands,
  codeParams,
  entryQuery,
  fieldErrors,
  langQuery,
  maxFreeTextGraphemes,
  stepOneBody,
  stepTwoBody,
  tokenQuery,
} from './schemas.ts'

export interface CaptureOptions {
  publicBaseUrl: string
}

const faces = [
  { value: 1, emoji: '😞', label: 'step2.liked.1' },
  { value: 2, emoji: '🙁', label: 'step2.liked.2' },
  { value: 3, emoji: '😐', label: 'step2.liked.3' },
  { value: 4, emoji: '🙂', label: 'step2.liked.4' },
  { value: 5, emoji: '😄', label: 'step2.liked.5' },
] as const

/**
 * The citizen form, the hot path: scan → step 1 (one tap is an answer) → step 2
 * (optional, amends the same response) → thanks. No login, nothing stored about the
 * person's device; a short-lived signed token lets only this browser amend its answer.
 */
export default async function captureRoutes(app: FastifyInstance, options: CaptureOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const directory = app.posterDirectory
  const qrCache = new Map<string, string>()

  function stepOneQuestion(poster: PosterForm, lang: Language): string {
    const t = translator(lang)
    return poster.audience === 'children' ? t('step1.question.children') : t('step1.question')
  }

  function renderStepOne(poster: PosterForm, lang: Language, error?: MessageKey) {
    const path = `/q/${poster.code}`
    const context = pageContext(lang, () => stepOneQuestion(poster, lang), languageSwitcher(path))
    return app.renderPage('capture/step1', {
      ...context,
      poster,
      question: stepOneQuestion(poster, lang),
      action: path,
      error: error ? context.t(error) : undefined,
    })
  }

  /** Unknown or inactive posters get a friendly page; only an active poster comes back. */
  async function activePoster(request: FastifyRequest, reply: FastifyReply, rawCode: string, forAnswer: boolean) {
    const code = normalizeCode(rawCode)
    const poster = code === undefined ? undefined : await directory.poster(code)
    if (poster === undefined) {
      const lang = requestLanguage(request)
      const context = pageContext(lang, (t) => t('notfound.title'))
      await reply
        .code(404)
        .header('cache-control', 'no-store')
        .view('capture/entry', { ...context, heading: context.t('notfound.title'), message: context.t('notfound.body'), code: rawCode.slice(0, 12) })
      return undefined
    }
    if (poster.status !== 'active') {
      const lang = requestLanguage(request, poster.language)
      const kind = poster.status === 'paused' ? 'paused' : 'retired'
      const context = pageContext(lang, (t) => t(`inactive.${kind}.title`))
      // Retired is gone for good (410); a paused poster is a normal page to look at,
      // but an answer sent to it is refused (409) and nothing is stored.
      const status = kind === 'retired' ? 410 : forAnswer ? 409 : 200
      await reply
        .code(status)
        .header('cache-control', 'no-store')
        .view('capture/message', { ...context, heading: context.t(`inactive.${kind}.title`), message: context.t(`inactive.${kind}.body`) })
      return undefined
    }
    return poster
  }

  function answerLanguage(request: FastifyRequest, bodyLang: string | undefined, poster: PosterForm): Language {
    return isLanguage(bodyLang) ? bodyLang : requestLanguage(request, poster.language)
  }

  // Posters print upper-case URLs (alphanumeric QR mode); people type lower case.
  for (const prefix of ['/q', '/Q']) {
    routes.get(prefix, { schema: { querystring: entryQuery } }, async (request, reply) => {
      const lang = requestLanguage(request)
      rememberLanguage(request, reply, lang)
      const context = pageContext(lang, (t) => t('entry.title'), languageSwitcher('/q'))
      const typed = request.query.code
      if (typed !== undefined) {
        const code = normalizeCode(typed)
        if (code !== undefined) return reply.redirect(`/q/${code}`, 303)
        return reply.code(400).view('capture/entry', { ...context, heading: context.t('entry.title'), error: context.t('entry.invalid'), code: typed.slice(0, 12) })
      }
      return reply.view('capture/entry', { ...context, heading: context.t('entry.title') })
    })

    routes.get(`${prefix}/:code`, { schema: { params: codeParams, querystring: langQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, false)
      if (poster === undefined) return reply
      const lang = requestLanguage(request, poster.language)
      rememberLanguage(request, reply, lang)
      // The page depends only on the poster and the language: build it once per cache period.
      const html = await directory.page(`${poster.code}:step1:${lang}`, () => renderStepOne(poster, lang))
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-language', lang)
        .header('cache-control', 'no-cache')
        .send(html)
    })

    routes.post(`${prefix}/:code`, { schema: { params: codeParams } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, true)
      if (poster === undefined) return reply
      const parsed = stepOneBody.safeParse(request.body ?? {})
      if (!parsed.success) {
        const lang = requestLanguage(request, poster.language)
        return reply.code(400).type('text/html; charset=utf-8').send(await renderStepOne(poster, lang, 'error.tried_new.invalid'))
      }
      const lang = answerLanguage(request, parsed.data.lang, poster)
      const id = await app.responseWriter.write({
        poster_id: poster.id,
        region_id: poster.regionId,
        partner_id: poster.partnerId,
        location_id: poster.locationId,
        activity_id: poster.activityId,
        created_at: new Date().toISOString(),
        language: lang,
        tried_new: parsed.data.tried_new,
        step: 1,
      })
      const token = signAnswerToken(app.answerSecret, poster.code, id)
      return reply.redirect(`/q/${poster.code}/2?t=${token}&lang=${lang}`, 303)
    })

    routes.get(`${prefix}/:code/2`, { schema: { params: codeParams, querystring: tokenQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, false)
      if (poster === undefined) return reply
      const lang = requestLanguage(request, poster.language)
      if (!verifyAnswerToken(app.answerSecret, poster.code, request.query.t)) return expiredToken(request, reply, poster, lang)
      return renderStepTwo(reply, poster, lang, request.query.t!, {}, {})
    })

    routes.post(`${prefix}/:code/2`, { schema: { params: codeParams, querystring: tokenQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, true)
      if (poster === undefined) return reply
      const body = (request.body ?? {}) as Record<string, unknown>
      const lang = answerLanguage(request, typeof body.lang === 'string' ? body.lang : undefined, poster)
      const token = verifyAnswerToken(app.answerSecret, poster.code, request.query.t)
      if (!token) return expiredToken(request, reply, poster, lang)

      const parsed = stepTwoBody.safeParse(body)
      const themes = await directory.regionThemes(poster.regionId, lang)
      let errors: Record<string, MessageKey> = parsed.success ? {} : fieldErrors(parsed.error)
      if (parsed.success) {
        const known = new Set(themes.map((theme) => theme.id))
        if (!parsed.data.themes.every((id) => known.has(id))) errors = { themes: 'error.themes.unknown' }
      }
      if (!parsed.success || Object.keys(errors).length > 0) {
        return renderStepTwo(reply.code(422), poster, lang, request.query.t!, errors, body)
      }
      const stored = await amendResponse(app.db, token.responseId, poster.id, {
        liked: parsed.data.liked,
        ageBand: parsed.data.age_band,
        freeText: parsed.data.free_text,
        themeIds: parsed.data.themes,
      })
      if (!stored) return expiredToken(request, reply, poster, lang)
      return reply.redirect(`/q/${poster.code}/thanks?lang=${lang}`, 303)
    })

    routes.get(`${prefix}/:code/thanks`, { schema: { params: codeParams, querystring: langQuery } }, async (request, reply) => {
      const code = normalizeCode(request.params.code)
      const poster = code === undefined ? undefined : await directory.poster(code)
      if (poster === undefined) return activePoster(request, reply, request.params.code, false).then(() => reply)
      const lang = requestLanguage(request, poster.language)
      const context = pageContext(lang, (t) => t('thanks.title'), languageSwitcher(`/q/${poster.code}/thanks`))
      return reply.header('cache-control', 'no-cache').view('capture/thanks', { ...context, contactLine: poster.contactLine })
    })

    routes.get(`${prefix}/:code/qr.svg`, { schema: { params: codeParams } }, async (request, reply) => {
      const code = normalizeCode(request.params.code)
      const poster = code === undefined ? undefined : await directory.poster(code)
      if (poster === undefined) return activePoster(request, reply, request.params.code, false).then(() => reply)
      let svg = qrCache.get(poster.code)
      if (svg === undefined) {
        svg = await qrSvg(qrUrl(options.publicBaseUrl, poster.code))
        if (qrCache.size >= 10_000) qrCache.clear()
        qrCache.set(poster.code, svg)
      }
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg)
    })
  }

  async function renderStepTwo(
    reply: FastifyReply,
    poster: PosterForm,
    lang: Language,
    token: string,
    errors: Record<string, MessageKey>,
    values: Record<string, unknown>,
  ) {
    const themes = await directory.regionThemes(poster.regionId, lang)
    const path = `/q/${poster.code}/2`
    const context = pageContext(lang, (t) => t('step2.title'), languageSwitcher(path, { t: token }))
    const shownValues = { ...values, themes: ([] as unknown[]).concat(values.themes ?? []).map(Number) }
    return reply
      .header('cache-control', 'no-store')
      .header('content-language', lang)
      .view('capture/step2', {
        ...context,
        action: `${path}?t=${token}`,
        skip: `/q/${poster.code}/thanks?lang=${lang}`,
        faces,
        themes,
        ageBands,
        maxText: maxFreeTextGraphemes,
        errors: Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, context.t(key, { max: maxFreeTextGraphemes })])),
        values: shownValues,
      })
  }

  async function expiredToken(request: FastifyRequest, reply: FastifyReply, poster: PosterForm, lang: Language) {
    const context = pageContext(lang, (t) => t('error.token.invalid'))
    request.log.info('answer token refused')
    return reply
      .code(403)
      .header('cache-control', 'no-store')
      .view('capture/message', { ...context, heading: context.t('page.bad_request.title'), message: context.t('error.token.invalid') })
  }
}
