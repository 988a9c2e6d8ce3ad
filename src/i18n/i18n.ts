import nl from './messages/nl.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }
import fr from './messages/fr.json' with { type: 'json' }
import ar from './messages/ar.json' with { type: 'json' }
import tr from './messages/tr.json' with { type: 'json' }
import pl from './messages/pl.json' with { type: 'json' }
import ro from './messages/ro.json' with { type: 'json' }
import uk from './messages/uk.json' with { type: 'json' }
import ti from './messages/ti.json' with { type: 'json' }
import adminNl from './messages/admin.nl.json' with { type: 'json' }
import adminEn from './messages/admin.en.json' with { type: 'json' }
import posterNl from './messages/poster.nl.json' with { type: 'json' }
import posterEn from './messages/poster.en.json' with { type: 'json' }
import posterFr from './messages/poster.fr.json' with { type: 'json' }
import posterAr from './messages/poster.ar.json' with { type: 'json' }
import posterTr from './messages/poster.tr.json' with { type: 'json' }
import posterPl from './messages/poster.pl.json' with { type: 'json' }
import posterRo from './messages/poster.ro.json' with { type: 'json' }
import posterUk from './messages/poster.uk.json' with { type: 'json' }
import posterTi from './messages/poster.ti.json' with { type: 'json' }
import posterAdminNl from './messages/poster-admin.nl.json' with { type: 'json' }
import posterAdminEn from './messages/poster-admin.en.json' with { type: 'json' }
import posterAdminFr from './messages/poster-admin.fr.json' with { type: 'json' }
import dashboardNl from './messages/dashboard.nl.json' with { type: 'json' }
import dashboardEn from './messages/dashboard.en.json' with { type: 'json' }
import dashboardFr from './messages/dashboard.fr.json' with { type: 'json' }
import followupNl from './messages/followup.nl.json' with { type: 'json' }
import followupEn from './messages/followup.en.json' with { type: 'json' }
import planningNl from './messages/planning.nl.json' with { type: 'json' }
import planningEn from './messages/planning.en.json' with { type: 'json' }
import planningFr from './messages/planning.fr.json' with { type: 'json' }
import digestNl from './messages/digest.nl.json' with { type: 'json' }
import digestEn from './messages/digest.en.json' with { type: 'json' }
import digestFr from './messages/digest.fr.json' with { type: 'json' }

// The texts printed on posters (poster.*.json) belong to every language, like the citizen
// form's; the poster management pages' texts (poster-admin.*.json), the dashboard's and the
// follow-up's (queue, offers, moderation, subject requests) join the admin catalogs.
const nlCatalog = { ...nl, ...posterNl }
const adminNlAll = { ...adminNl, ...posterAdminNl, ...dashboardNl, ...followupNl, ...planningNl, ...digestNl }

/** Keys of the citizen catalogs (every language has all of them). */
export type CitizenKey = keyof typeof nlCatalog
/** Keys of the management pages' own catalogs (Dutch and English; other languages fall back to Dutch). */
export type AdminKey = keyof typeof adminNlAll
export type MessageKey = CitizenKey | AdminKey
export type Catalog = Record<CitizenKey, string>

// French has no management pages of its own, but two things go out in French: the dashboard's
// CSV (dashboard.fr.json, just the words that file uses) and the planning page's table and CSV
// (planning.fr.json), which go to French-speaking partners and councils; and the poster
// funnel's "first figures tomorrow" line (poster-admin.fr.json), which a French-speaking
// partner reads on a new poster. Every other admin key in French falls back to Dutch.
const adminCatalogs: Partial<Record<string, Partial<Record<AdminKey, string>>>> = {
  nl: adminNlAll,
  en: { ...adminEn, ...posterAdminEn, ...dashboardEn, ...followupEn, ...planningEn, ...digestEn },
  fr: { ...planningFr, ...digestFr, ...(dashboardFr satisfies Partial<Record<AdminKey, string>>), ...(posterAdminFr satisfies Partial<Record<AdminKey, string>>) },
}

/**
 * Each language's own name, its script direction, and its catalog. The switcher lists them
 * in this order: Dutch, French and English first (the languages most visitors share), then
 * the newcomer languages in the order issue 5 names them. The order is fixed, not sorted by
 * name, because names in four scripts have no order a reader would recognise, and a person
 * should find their language in the same place on every page.
 */
export const languages = {
  nl: { name: 'Nederlands', dir: 'ltr', catalog: nlCatalog },
  fr: { name: 'Français', dir: 'ltr', catalog: { ...fr, ...posterFr } },
  en: { name: 'English', dir: 'ltr', catalog: { ...en, ...posterEn } },
  ar: { name: 'العربية', dir: 'rtl', catalog: { ...ar, ...posterAr } },
  tr: { name: 'Türkçe', dir: 'ltr', catalog: { ...tr, ...posterTr } },
  pl: { name: 'Polski', dir: 'ltr', catalog: { ...pl, ...posterPl } },
  ro: { name: 'Română', dir: 'ltr', catalog: { ...ro, ...posterRo } },
  uk: { name: 'Українська', dir: 'ltr', catalog: { ...uk, ...posterUk } },
  ti: { name: 'ትግርኛ', dir: 'ltr', catalog: { ...ti, ...posterTi } },
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
    const catalog: Record<string, string | undefined> = { ...adminCatalogs[language], ...languages[language].catalog }
    const fallback: Record<string, string | undefined> = { ...adminNlAll, ...languages[defaultLanguage].catalog }
    // Numbers are written the way the reader's language writes them (1.234 in Dutch, 1 234 in French).
    const numbers = new Intl.NumberFormat(language)
    const format = (value: string | number) => (typeof value === 'number' ? numbers.format(value) : value)
    t = (key, values) => {
      const template = catalog[key] ?? fallback[key] ?? key
      if (values === undefined) return template
      return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? format(values[name]!) : match))
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
