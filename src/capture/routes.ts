import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { type Language, isLanguage, languages, type MessageKey, translator } from '../i18n/i18n.ts'
import { languageSwitcher, pageContext, rememberLanguage, requestLanguage } from '../http/views.ts'
import { type Budget, limits, type Limit } from '../http/rate-limit.ts'
import { normalizeCode, qrSvg, qrUrl } from '../posters/index.ts'
import { answerTokenLifetimeSeconds, signAnswerToken, verifyAnswerToken } from './answer-token.ts'
import { faceSymbol, faces } from './faces.ts'
import {
  addToDeviceCookie,
  answeredToday,
  checkFormTicket,
  deviceCookie,
  honeypotField,
  issueFormTicket,
} from './guard.ts'
import { closeKioskAnswer, kioskAnswerClosed, type PosterForm } from './queries.ts'
import { type Amendment, amendResponseIn, formAgeBands, isChildAgeBand, localDay } from '../answers/index.ts'
import { themeAudienceOf } from '../themes/index.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import {
  consentText,
  contactRequestRow,
  goodMoments,
  languageFromName,
  mailPathLink,
  newWithdrawalToken,
  offersForResponse,
  parseContactForm,
  upsertContactRequest,
  withdrawalTokenPattern,
} from '../followup/index.ts'
import { publicUpdatesPath } from '../updates/index.ts'
import {
  codeParams,
  entryQuery,
  fieldErrors,
  langQuery,
  maxFreeTextGraphemes,
  thanksQuery,
  stepOneBody,
  stepTwoBody,
  tokenQuery,
} from './schemas.ts'

export interface CaptureOptions {
  publicBaseUrl: string
  minFillMs: { step1: number; step2: number }
}

/**
 * The two ways in: a poster scanned on a person's own phone, and a kiosk tablet at a
 * drop-in point that many people use one after another (no one-per-device rule, and it
 * returns to step 1 by itself).
 */
interface Mode {
  name: 'poster' | 'kiosk'
  base: 'q' | 'k'
  answerLimit: Limit
}
const posterMode: Mode = { name: 'poster', base: 'q', answerLimit: limits.answer }
const kioskMode: Mode = { name: 'kiosk', base: 'k', answerLimit: limits.kioskAnswer }

/**
 * On a kiosk the answer token lives in this cookie, never in an address: the next person at
 * the tablet reads the address bar and the history. httpOnly, SameSite=Strict, and short:
 * step 2 goes back to step 1 after three minutes anyway.
 */
const kioskCookie = 'kiosk-answer'
const kioskCookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, maxAge: 15 * 60 }

/**
 * What one answer (step 1 or 2) counts against, per client network: this poster in this
 * mode (a kiosk tablet and the phones at the same library keep separate budgets), and all
 * of the region's posters together.
 */
function answerBudgets(mode: Mode, poster: PosterForm): Budget[] {
  return [
    { scope: `${mode.name === 'kiosk' ? 'kiosk' : 'answer'}:${poster.code}`, limit: mode.answerLimit },
    { scope: `answer-region:${poster.regionId}`, limit: limits.regionAnswer },
  ]
}

/** Where the per-request form ticket goes in a step-1 page that is otherwise built once. */
const ticketSlot = '\u0000TICKET\u0000'

/**
 * The citizen form, the hot path: scan → step 1 (one tap is an answer) → step 2
 * (optional, amends the same response) → thanks. No login, nothing stored about the
 * person or their device; a short-lived signed token lets only this browser amend its
 * answer.
 */
export default async function captureRoutes(app: FastifyInstance, options: CaptureOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const directory = app.posterDirectory
  // Signs form tickets and answer tokens; only this plugin needs it.
  const secret = app.config.secret ?? (await loadOrCreateSecret(app.db, 'answer-token'))
  const qrCache = new Map<string, string>()

  function stepOneQuestion(poster: PosterForm, lang: Language): string {
    const t = translator(lang)
    return poster.audience === 'children' ? t('step1.question.children') : t('step1.question')
  }

  function renderStepOne(mode: Mode, poster: PosterForm, lang: Language, ticket: string, error?: MessageKey) {
    const path = `/${mode.base}/${poster.code}`
    const context = pageContext(lang, () => stepOneQuestion(poster, lang), languageSwitcher(path))
    return app.renderPage('capture/step1', {
      ...context,
      pageStyle: 'step1',
      poster,
      question: stepOneQuestion(poster, lang),
      action: path,
      ticket,
      honeypotField,
      error: error ? context.t(error) : undefined,
    })
  }

  /**
   * The step-1 page: built once per poster, mode and language; only the ticket differs. It is
   * kept as the UTF-8 bytes before and after the ticket, so that a request copies three
   * buffers: a string page (with its emoji, two bytes per character in V8) would be measured
   * for Content-Length and encoded to UTF-8 again on every request.
   */
  async function stepOnePage(mode: Mode, poster: PosterForm, lang: Language): Promise<Buffer> {
    const page = await directory.page(`${poster.code}:${mode.name}:step1:${lang}`, async () => {
      const [head, tail] = (await renderStepOne(mode, poster, lang, ticketSlot)).split(ticketSlot) as [string, string]
      return { head: Buffer.from(head), tail: Buffer.from(tail) }
    })
    // A ticket is ASCII (base36 and base64url), one byte per character.
    const ticket = Buffer.from(issueFormTicket(secret, poster.code), 'latin1')
    return Buffer.concat([page.head, ticket, page.tail], page.head.length + ticket.length + page.tail.length)
  }

  function sendHtml(reply: FastifyReply, html: string | Buffer, lang: Language) {
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-language', lang).header('cache-control', 'no-store').send(html)
  }

  function messagePage(reply: FastifyReply, status: number, lang: Language, title: MessageKey, body: MessageKey, extra: object = {}) {
    const context = pageContext(lang, (t) => t(title))
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .view('capture/message', { ...context, heading: context.t(title), message: context.t(body), ...extra })
  }

  async function tooMany(request: FastifyRequest, reply: FastifyReply, limit: Limit, lang?: Language) {
    reply.header('retry-after', String(Math.ceil(limit.windowMs / 1000)))
    return messagePage(reply, 429, lang ?? requestLanguage(request), 'rate.title', 'rate.body')
  }

  /** Unknown or inactive posters get a friendly page; only an active poster comes back. */
  async function activePoster(request: FastifyRequest, reply: FastifyReply, rawCode: string, forAnswer: boolean) {
    const code = normalizeCode(rawCode)
    const poster = code === undefined ? undefined : await directory.poster(code)
    if (poster === undefined) {
      // Guessing codes is slowed down per client; a few typing mistakes are not.
      if (!(await app.rateLimiter.allow(request, 'unknown-code', limits.unknownCode, localDay()))) {
        await tooMany(request, reply, limits.unknownCode)
        return undefined
      }
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
      // Retired is gone for good (410); a paused poster is a normal page to look at,
      // but an answer sent to it is refused (409) and nothing is stored.
      const status = kind === 'retired' ? 410 : forAnswer ? 409 : 200
      await messagePage(reply, status, lang, `inactive.${kind}.title`, `inactive.${kind}.body`)
      return undefined
    }
    return poster
  }

  function answerLanguage(request: FastifyRequest, bodyLang: unknown, poster: PosterForm): Language {
    return isLanguage(bodyLang) ? bodyLang : requestLanguage(request, poster.language)
  }

  function deviceRuleApplies(mode: Mode, poster: PosterForm) {
    return mode.name === 'poster' && poster.oneAnswerPerDevice === 1
  }

  /** Where a bot is sent: it looks like success, and nothing was stored. */
  function decoy(reply: FastifyReply, mode: Mode, poster: PosterForm, lang: Language) {
    return reply.redirect(`/${mode.base}/${poster.code}/thanks?lang=${lang}`, 303)
  }

  /** A kiosk's tokens are signed for the kiosk: one cannot be replayed on the poster's own form. */
  function tokenScope(mode: Mode, poster: PosterForm): string {
    return mode.name === 'kiosk' ? `kiosk:${poster.code}` : poster.code
  }

  /** The answer this browser may amend: from the address on a phone, from the cookie on a kiosk (and not closed). */
  async function currentAnswer(request: FastifyRequest, queryToken: string | undefined, mode: Mode, poster: PosterForm) {
    const given = mode.name === 'kiosk' ? request.cookies[kioskCookie] : queryToken
    const answer = verifyAnswerToken(secret, tokenScope(mode, poster), given)
    if (answer === undefined || (mode.name === 'kiosk' && (await kioskAnswerClosed(app.db, answer.responseId)))) return undefined
    return { ...answer, token: given! }
  }

  /** The tablet moves on (thank-you page, back to step 1): the open kiosk answer, if any, is closed. */
  async function closeOpenKioskAnswer(request: FastifyRequest, reply: FastifyReply, poster: PosterForm) {
    const token = request.cookies[kioskCookie]
    if (token === undefined) return
    reply.clearCookie(kioskCookie, { path: '/' })
    const answer = verifyAnswerToken(secret, `kiosk:${poster.code}`, token)
    if (answer) await closeKioskAnswer(app.db, answer.responseId)
  }

  function registerMode(mode: Mode, prefix: string) {
    routes.get(`${prefix}/:code`, { schema: { params: codeParams, querystring: langQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, false)
      if (poster === undefined) return reply
      // A scan, for the poster's funnel: counted in memory, no address, no cookie. Kiosk
      // views and language switches are not scans.
      if (mode.name === 'poster' && request.query.lang === undefined) app.scanCounter.record(poster.id)
      const lang = requestLanguage(request, poster.language)
      rememberLanguage(request, reply, lang)
      // A step 2 left open by someone who walked away is closed when the tablet is back here.
      if (mode.name === 'kiosk') await closeOpenKioskAnswer(request, reply, poster)
      if (deviceRuleApplies(mode, poster) && answeredToday(secret, request.cookies[deviceCookie], localDay(), poster.id)) {
        return messagePage(reply, 200, lang, 'already.title', 'already.body')
      }
      return sendHtml(reply, await stepOnePage(mode, poster, lang), lang)
    })

    routes.post(`${prefix}/:code`, { schema: { params: codeParams } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, true)
      if (poster === undefined) return reply
      const body = (request.body ?? {}) as Record<string, unknown>
      const lang = answerLanguage(request, body.lang, poster)
      const day = localDay()
      if (!(await app.rateLimiter.allowAll(request, answerBudgets(mode, poster), day))) return tooMany(request, reply, mode.answerLimit, lang)

      const parsed = stepOneBody.safeParse(body)
      if (!parsed.success) return sendHtml(reply.code(400), await renderStepOne(mode, poster, lang, issueFormTicket(secret, poster.code), 'error.tried_new.invalid'), lang)
      const ticket = checkFormTicket(secret, poster.code, parsed.data.ticket)
      if (!ticket.ok) return sendHtml(reply.code(400), await renderStepOne(mode, poster, lang, issueFormTicket(secret, poster.code), 'error.form.expired'), lang)
      if (parsed.data[honeypotField] || Date.now() - ticket.ticket.issuedAt < options.minFillMs.step1) return decoy(reply, mode, poster, lang)

      const devices = deviceRuleApplies(mode, poster)
      if (devices && answeredToday(secret, request.cookies[deviceCookie], day, poster.id)) {
        return messagePage(reply, 200, lang, 'already.title', 'already.body')
      }
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
        idempotency_key: ticket.ticket.nonce,
      })
      if (devices) {
        reply.setCookie(deviceCookie, addToDeviceCookie(secret, request.cookies[deviceCookie], day, poster.id), {
          path: '/',
          maxAge: 36 * 3600,
          httpOnly: true,
          sameSite: 'lax',
        })
      }
      const token = signAnswerToken(secret, tokenScope(mode, poster), id)
      if (mode.name === 'kiosk') {
        reply.setCookie(kioskCookie, token, kioskCookieOptions)
        return reply.redirect(`/${mode.base}/${poster.code}/2?lang=${lang}`, 303)
      }
      return reply.redirect(`/${mode.base}/${poster.code}/2?t=${token}&lang=${lang}`, 303)
    })

    routes.get(`${prefix}/:code/2`, { schema: { params: codeParams, querystring: tokenQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, false)
      if (poster === undefined) return reply
      const lang = requestLanguage(request, poster.language)
      const answer = await currentAnswer(request, request.query.t, mode, poster)
      if (!answer) return expiredToken(request, reply, lang)
      return renderStepTwo(reply, mode, poster, lang, answer.token, {}, {})
    })

    routes.post(`${prefix}/:code/2`, { schema: { params: codeParams, querystring: tokenQuery } }, async (request, reply) => {
      const poster = await activePoster(request, reply, request.params.code, true)
      if (poster === undefined) return reply
      const body = (request.body ?? {}) as Record<string, unknown>
      const lang = answerLanguage(request, body.lang, poster)
      const token = await currentAnswer(request, request.query.t, mode, poster)
      if (!token) return expiredToken(request, reply, lang)
      if (!(await app.rateLimiter.allowAll(request, answerBudgets(mode, poster), localDay()))) return tooMany(request, reply, mode.answerLimit, lang)
      const shownAt = (token.expiresAt - answerTokenLifetimeSeconds) * 1000
      if (body[honeypotField] || Date.now() - shownAt < options.minFillMs.step2) return decoy(reply, mode, poster, lang)

      const parsed = stepTwoBody.safeParse(body)
      // Only what this poster's form offers: a children's poster takes neither a general theme
      // nor an adult band, and an adult poster takes neither a children's theme nor a child's band.
      const themes = await directory.regionThemes(poster.regionId, lang, themeAudienceOf(poster.audience))
      let errors: Record<string, MessageKey> = parsed.success ? {} : fieldErrors(parsed.error)
      if (parsed.success) {
        const known = new Set(themes.map((theme) => theme.id))
        if (!parsed.data.themes.every((id) => known.has(id))) errors = { themes: 'error.themes.unknown' }
        const band = parsed.data.age_band
        if (band !== null && !formAgeBands(poster.audience).includes(band)) errors = { ...errors, age_band: 'error.age_band.invalid' }
      }
      // Children's posters never ask for contact details, and never accept them.
      const contact = poster.audience === 'children' ? ({ kind: 'none' } as const) : parseContactForm(body, lang)
      if (contact.kind === 'invalid') errors = { ...errors, ...contact.errors }
      if (!parsed.success || Object.keys(errors).length > 0) {
        return renderStepTwo(reply.code(422), mode, poster, lang, token.token, errors, body)
      }
      const withdrawal = contact.kind === 'request' ? newWithdrawalToken() : undefined
      const band = parsed.data.age_band
      const amendment: Amendment = {
        liked: parsed.data.liked,
        ageBand: isChildAgeBand(band) ? null : band,
        childAgeBand: isChildAgeBand(band) ? band : null,
        freeText: parsed.data.free_text,
        themeIds: parsed.data.themes,
        // A child's text is matched against the children's keywords, an adult's against the general ones.
        matcher: await directory.regionMatcher(poster.regionId, themeAudienceOf(poster.audience)),
      }
      const contactRequest =
        contact.kind === 'request'
          ? contactRequestRow(contact.input, {
              regionId: poster.regionId,
              lang,
              consent: consentText(lang, { regionName: poster.regionName, maxAgeDays: poster.contactMaxAgeDays }),
              withdrawalHash: withdrawal!.hash,
              now: new Date().toISOString(),
            })
          : undefined
      // Durable before the person sees "thank you"; amendments of one event-loop turn share a
      // commit. The answer (answers/) and the contact request (followup/) are composed here, in
      // one transaction: the write model knows nothing of contact requests, and the opt-in must
      // commit exactly when the answer it belongs to does. A kiosk answer is closed in the same
      // transaction: of two submits, one amends.
      const stored = await app.amendments.run(async (trx) => {
        if (mode.name === 'kiosk' && !(await closeKioskAnswer(trx, token.responseId))) return false
        if (!(await amendResponseIn(trx, token.responseId, poster.id, amendment))) return false
        if (contactRequest !== undefined) await upsertContactRequest(trx, { ...contactRequest, response_id: token.responseId })
        return true
      })
      if (!stored) return expiredToken(request, reply, lang)
      // The private link by e-mail too, when a mail server is configured and the person chose
      // e-mail (path-link-mail.ts): beside the response, which does not wait for it.
      if (withdrawal && contact.kind === 'request' && contact.input.channel === 'email' && app.config.smtpUrl !== undefined) {
        const link = `${options.publicBaseUrl.replace(/\/$/, '')}/withdraw?${new URLSearchParams({ w: withdrawal.token, lang })}`
        void mailPathLink(app.config, { to: contact.input.value, language: lang, regionName: poster.regionName, link }, request.log)
      }
      if (mode.name === 'kiosk') {
        // The kiosk's thank-you page is this response itself, not a redirect: a redirect
        // would need the page's state (this answer's offers, "someone will contact you") to
        // travel in yet another carrier the next person could find. Here nothing does: the
        // cookie is cleared, the answer is closed, the withdrawal token is never shown (its
        // hash is kept, so staff can still erase the request on a subject request). Back or
        // reload re-sends this POST, which finds no cookie and a closed answer.
        reply.clearCookie(kioskCookie, { path: '/' })
        return renderThanks(reply, mode, poster, lang, { responseId: token.responseId, contactSaved: withdrawal !== undefined })
      }
      // The thank-you page reads the chosen themes through the (signed) answer token; the
      // withdrawal token is shown there once and never stored in clear.
      const next = new URLSearchParams({ lang, t: token.token })
      if (withdrawal) next.set('w', withdrawal.token)
      return reply.redirect(`/${mode.base}/${poster.code}/thanks?${next.toString()}`, 303)
    })

    routes.get(`${prefix}/:code/thanks`, { schema: { params: codeParams, querystring: thanksQuery } }, async (request, reply) => {
      const code = normalizeCode(request.params.code)
      const poster = code === undefined ? undefined : await directory.poster(code)
      if (poster === undefined) return activePoster(request, reply, request.params.code, false).then(() => reply)
      const lang = requestLanguage(request, poster.language)
      if (mode.name === 'kiosk') {
        // Reached by "skip" from step 2 (or typed): the open answer closes, and nothing in
        // the address is read: a kiosk address never carries a token.
        await closeOpenKioskAnswer(request, reply, poster)
        return renderThanks(reply, mode, poster, lang, { contactSaved: false })
      }
      const answer = verifyAnswerToken(secret, poster.code, request.query.t)
      const withdrawToken = answer && request.query.w && withdrawalTokenPattern.test(request.query.w) ? request.query.w : undefined
      const personal: Record<string, string> = {}
      if (answer) personal.t = request.query.t!
      if (withdrawToken) personal.w = withdrawToken
      return renderThanks(reply, mode, poster, lang, { responseId: answer?.responseId, contactSaved: withdrawToken !== undefined, withdrawToken, personal })
    })
  }

  // Posters print upper-case URLs (alphanumeric QR mode); people type lower case.
  for (const prefix of ['/q', '/Q']) registerMode(posterMode, prefix)
  for (const prefix of ['/k', '/K']) registerMode(kioskMode, prefix)

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
      return reply.header('cache-control', 'public, max-age=3600').view('capture/entry', { ...context, heading: context.t('entry.title') })
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

  interface ThanksState {
    /** The answer whose offers are shown; absent when the page is not someone's own. */
    responseId?: number | undefined
    contactSaved: boolean
    /** Phones only: the private withdrawal link, shown once. */
    withdrawToken?: string | undefined
    /** Phones only: what the language switcher carries over. */
    personal?: Record<string, string>
  }

  async function renderThanks(reply: FastifyReply, mode: Mode, poster: PosterForm, lang: Language, state: ThanksState) {
    const path = `/${mode.base}/${poster.code}`
    const personalPage = state.responseId !== undefined
    const offers = personalPage ? await offersForResponse(app.db, state.responseId!, poster.regionId, poster.audience) : []
    const context = pageContext(lang, (t) => t('thanks.title'), mode.name === 'kiosk' ? [] : languageSwitcher(`${path}/thanks`, state.personal ?? {}))
    // A page that carries a personal link or this answer's offers is not kept anywhere,
    // and its address (with the tokens) is not sent on to the offers' websites.
    if (personalPage) reply.header('referrer-policy', 'no-referrer')
    return reply.header('cache-control', personalPage ? 'no-store' : 'private, max-age=600').view('capture/thanks', {
      ...context,
      contactLine: poster.contactLine,
      // "What we did with your answers", when the region has posted updates.
      resultsHref: await publicUpdatesPath(app.db, poster.regionId, lang),
      offers: offers.map((offer) => ({
        ...offer,
        languageNames: offer.languages
          .split(',')
          .filter((code): code is keyof typeof languages => Object.hasOwn(languages, code))
          .map((code) => ({ code, name: languages[code].name })),
      })),
      contactSaved: state.contactSaved,
      // On a shared kiosk tablet the next person must not find the link to this request.
      withdrawUrl: state.withdrawToken && mode.name === 'poster' ? `/withdraw?${new URLSearchParams({ w: state.withdrawToken, lang }).toString()}` : undefined,
      // The kiosk goes back to step 1 for the next person, without JavaScript.
      refresh: mode.name === 'kiosk' ? { seconds: 10, url: path } : undefined,
    })
  }

  async function renderStepTwo(
    reply: FastifyReply,
    mode: Mode,
    poster: PosterForm,
    lang: Language,
    token: string,
    errors: Record<string, MessageKey>,
    values: Record<string, unknown>,
  ) {
    const themes = await directory.regionThemes(poster.regionId, lang, themeAudienceOf(poster.audience))
    const path = `/${mode.base}/${poster.code}/2`
    // On a kiosk the token stays in its cookie: neither the form nor the language links carry it.
    const personal: Record<string, string> = mode.name === 'kiosk' ? {} : { t: token }
    const context = pageContext(lang, (t) => t('step2.title'), languageSwitcher(path, personal))
    const shownValues = { ...values, themes: ([] as unknown[]).concat(values.themes ?? []).map(Number) }
    const children = poster.audience === 'children'
    return reply
      .header('cache-control', 'no-store')
      .header('content-language', lang)
      .view('capture/step2', {
        ...context,
        pageStyle: 'step2',
        faceSymbol,
        action: mode.name === 'kiosk' ? path : `${path}?t=${token}`,
        skip: `/${mode.base}/${poster.code}/thanks?lang=${lang}`,
        // The contact opt-in: adults only, with its consent sentence in the person's language.
        contact: children
          ? undefined
          : {
              consent: consentText(lang, { regionName: poster.regionName, maxAgeDays: poster.contactMaxAgeDays }),
              moments: goodMoments,
              languages: Object.entries(languages).map(([code, language]) => ({
                code,
                name: language.name,
                selected: code === (languageFromName(values.contact_language) ?? lang),
              })),
              open: ['contact_name', 'contact_value', 'contact_consent'].some((field) => errors[field] !== undefined || (typeof values[field] === 'string' && values[field] !== '')),
              kiosk: mode.name === 'kiosk',
            },
        // Children get the short form: three faces, their own themes and their own age bands.
        faces: children ? faces.filter((face) => face.value % 2 === 1) : faces,
        themes,
        ageBands: formAgeBands(poster.audience),
        honeypotField,
        maxText: maxFreeTextGraphemes,
        errors: Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, context.t(key, { max: maxFreeTextGraphemes })])),
        values: shownValues,
        // A kiosk left on step 2 by someone who walked away returns to step 1.
        refresh: mode.name === 'kiosk' ? { seconds: 180, url: `/${mode.base}/${poster.code}` } : undefined,
      })
  }

  async function expiredToken(request: FastifyRequest, reply: FastifyReply, lang: Language) {
    request.log.info('answer token refused')
    return messagePage(reply, 403, lang, 'page.bad_request.title', 'error.token.invalid')
  }
}
