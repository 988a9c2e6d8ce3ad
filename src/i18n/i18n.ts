import nl from './messages/nl.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }
import fr from './messages/fr.json' with { type: 'json' }
import dashboardNl from './messages/dashboard.nl.json' with { type: 'json' }
import dashboardEn from './messages/dashboard.en.json' with { type: 'json' }

// Feature catalogs are merged into each language's catalog; a language without its own
// feature catalog shows the Dutch strings (the same fallback `translator` applies).
const catalogs = {
  nl: { ...nl, ...dashboardNl },
  fr: { ...dashboardNl, ...fr },
  en: { ...en, ...dashboardEn },
}

export type MessageKey = keyof typeof catalogs.nl
export type Catalog = Record<MessageKey, string>

/** Each language's own name, its script direction, and its catalog. Dutch comes first. */
export const languages = {
  nl: { name: 'Nederlands', dir: 'ltr', catalog: catalogs.nl },
  fr: { name: 'Français', dir: 'ltr', catalog: catalogs.fr },
  en: { name: 'English', dir: 'ltr', catalog: catalogs.en },
} as const satisfies Record<string, { name: string; dir: 'ltr' | 'rtl'; catalog: Catalog }>

export type Language = keyof typeof languages
export const defaultLanguage: Language = 'nl'
export const languageCodes = Object.keys(languages) as Language[]

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(languages, value)
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string

const translators = new Map<Language, Translate>()

/** One translator per language, made once. Missing keys fall back to Dutch, then to the key. */
export function translator(language: Language): Translate {
  let t = translators.get(language)
  if (t === undefined) {
    const catalog: Catalog = languages[language].catalog
    const fallback: Catalog = languages[defaultLanguage].catalog
    t = (key, values) => {
      const template = catalog[key] ?? fallback[key] ?? key
      if (values === undefined) return template
      return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match))
    }
    translators.set(language, t)
  }
  return t
}

/** `fr-BE;q=0.8, en` → the first supported base tag by quality, or undefined. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { base: tag.split('-')[0]!.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, index }
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.find((entry) => isLanguage(entry.base))?.base as Language | undefined
}

export const languageCookie = 'lang'

/**
 * The order the citizen form uses: `?lang=` in the URL, the cookie from an earlier
 * choice, the poster's own language, the browser's Accept-Language, Dutch.
 */
export function pickLanguage(sources: {
  query?: unknown
  cookie?: string | undefined
  poster?: string | null | undefined
  acceptLanguage?: string | undefined
}): Language {
  if (isLanguage(sources.query)) return sources.query
  if (isLanguage(sources.cookie)) return sources.cookie
  if (isLanguage(sources.poster)) return sources.poster
  return fromAcceptLanguage(sources.acceptLanguage) ?? defaultLanguage
}
