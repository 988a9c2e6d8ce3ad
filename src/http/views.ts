import { fileURLToPath } from 'node:url'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type Language, languageCodes, languageCookie, languages, pickLanguage, translator, type Translate } from '../i18n/i18n.ts'

const viewsFolder = fileURLToPath(new URL('../../views/', import.meta.url))

/** What every citizen page's layout needs besides the page's own data. */
export interface PageContext {
  lang: Language
  dir: 'ltr' | 'rtl'
  t: Translate
  title: string
  /** Links to the same page in each language; empty for pages that must not be re-requested. */
  switcher: { code: Language; name: string; href: string }[]
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders a template to a string (used to build pages once and keep them). */
    renderPage(template: string, data: object): Promise<string>
  }
}

/** The switcher's links: the current path with `?lang=xx`, other query parameters kept. */
export function languageSwitcher(path: string, query: Record<string, string> = {}) {
  return languageCodes.map((code) => {
    const params = new URLSearchParams({ ...query, lang: code })
    return { code, name: languages[code].name, href: `${path}?${params.toString()}` }
  })
}

export function pageContext(lang: Language, title: (t: Translate) => string, switcher: PageContext['switcher'] = []): PageContext {
  const t = translator(lang)
  return { lang, dir: languages[lang].dir, t, title: title(t), switcher }
}

/**
 * The language of a request outside a poster's context (error pages, code entry):
 * `?lang=`, the cookie, then Accept-Language.
 */
export function requestLanguage(request: FastifyRequest, posterLanguage?: string | null): Language {
  const query = request.query as Record<string, unknown> | undefined
  return pickLanguage({
    query: query?.lang,
    cookie: request.cookies?.[languageCookie],
    poster: posterLanguage,
    acceptLanguage: request.headers['accept-language'],
  })
}

/** Remembers an explicit `?lang=` choice for a year, so the next scan opens in that language. */
export function rememberLanguage(request: FastifyRequest, reply: FastifyReply, lang: Language): void {
  const query = request.query as Record<string, unknown> | undefined
  if (query?.lang === lang && request.cookies?.[languageCookie] !== lang) {
    reply.setCookie(languageCookie, lang, { path: '/', maxAge: 365 * 24 * 3600, sameSite: 'lax', httpOnly: true })
  }
}

export default fp(
  async function views(app: FastifyInstance) {
    const production = process.env.NODE_ENV !== 'development'
    const eta = new Eta({ views: viewsFolder, cache: production, autoEscape: true, autoTrim: [false, 'nl'] })
    await app.register(view, { engine: { eta }, root: viewsFolder, viewExt: 'eta', production })
    app.decorate('renderPage', (template: string, data: object) => app.view(template, data) as Promise<string>)
    // Every page's language may come from Accept-Language or the lang cookie (see
    // requestLanguage), so a page that a cache may keep says so: a shared cache would
    // otherwise hand the first visitor's language to everyone. One rule here, rather than
    // one header per route, so that a new cacheable page cannot forget it.
    app.addHook('onSend', (_request, reply, payload, done) => {
      // Most citizen responses are no-store: that is looked at first, with no string made.
      const cacheControl = reply.getHeader('cache-control')
      if (typeof cacheControl === 'string' && /max-age|public|private/.test(cacheControl) && !cacheControl.includes('no-store') && /^text\/html/.test(String(reply.getHeader('content-type') ?? ''))) {
        reply.header('vary', 'Accept-Language, Cookie')
      }
      done(null, payload)
    })
  },
  { name: 'views' },
)
