import type { Kysely } from 'kysely'
import type { Audience, Database, Theme, ThemeAudience } from '../db/types.ts'
import defaults from './default-themes.json' with { type: 'json' }
import childDefaults from './default-child-themes.json' with { type: 'json' }

/**
 * A theme has an audience. Children's posters (activity audience 'children', under 12) get
 * their own short list in simple words ("Bouwen en knutselen", not "Technologie en
 * techniek"), and every other poster gets the general list; no poster shows both. The two
 * lists are rows of the same table, so that everything that counts or names a theme (the
 * rollups, rankings, corrections, offers, updates) needs no second path: a children's theme
 * is a theme. What differs is only which list a form offers and which keywords classify its
 * free text: a child's "ik wil robots bouwen" is matched against the children's keywords
 * only, and an adult's text never lands on a children's theme. The region edits both lists
 * on the same staff page, each theme with its own keywords. The defaults ship as data
 * (default-child-themes.json beside default-themes.json), in every language of the form.
 */
export function themeAudienceOf(audience: Audience): ThemeAudience {
  return audience === 'children' ? 'children' : 'general'
}

/** Children's defaults come after the general ones in a region's list (position is per list on the forms). */
const childPositionStart = 100

export interface ThemeLabels {
  [language: string]: string
}

/**
 * Which labels stand in, in order, when a theme has none in the reader's language. A region
 * that adds its own theme writes Dutch, often English or French, and seldom the newcomer
 * languages, so this is the label a newcomer will most often meet. Someone who reads the form
 * in Arabic, Turkish, Polish, Romanian, Ukrainian or Tigrinya picked that language because
 * Dutch does not yet work for them, and a checkbox is only an answer if its label is
 * understood: English is the second language most of them read (a school subject in Ukraine,
 * Poland, Romania, Turkey and Syria, the language of secondary school in Eritrea), so it comes
 * first; Dutch follows, as the one label every region writes. French and English readers get
 * the region's own Dutch wording first, as the rest of the site does (translator()).
 */
const labelFallbacks: Record<string, readonly string[]> = {
  nl: ['en', 'fr'],
  fr: ['nl', 'en'],
  en: ['nl', 'fr'],
}
const newcomerFallback: readonly string[] = ['en', 'nl']

/** The label in the wanted language, else the fallbacks above, else the first one there is. Blank labels count as missing. */
export function themeLabel(theme: Pick<Theme, 'labels'>, language: string): string {
  const labels = JSON.parse(theme.labels) as ThemeLabels
  const filled = (code: string) => {
    const label = labels[code]
    return typeof label === 'string' && label.trim() !== '' ? label.trim() : undefined
  }
  for (const code of [language, ...(labelFallbacks[language] ?? newcomerFallback)]) {
    const label = filled(code)
    if (label !== undefined) return label
  }
  for (const code of Object.keys(labels)) {
    const label = filled(code)
    if (label !== undefined) return label
  }
  return ''
}

/** The region's visible themes in form order: one audience's list, or both when none is named. */
export function listVisibleThemes(db: Kysely<Database>, regionId: number, audience?: ThemeAudience): Promise<Theme[]> {
  let query = db.selectFrom('themes').selectAll().where('region_id', '=', regionId).where('hidden', '=', 0)
  if (audience !== undefined) query = query.where('audience', '=', audience)
  return query.orderBy('position').orderBy('id').execute()
}

/** Gives a new region the default learning themes that ship with Leervraag: the general list and the children's. */
export async function seedDefaultThemes(db: Kysely<Database>, regionId: number): Promise<void> {
  const now = new Date().toISOString()
  const row = (theme: { slug: string; icon: string; label: object; keywords: object }, position: number, audience: ThemeAudience) => ({
    region_id: regionId,
    slug: theme.slug,
    icon: theme.icon,
    labels: JSON.stringify(theme.label),
    keywords: JSON.stringify(theme.keywords),
    position,
    created_at: now,
    audience,
  })
  await db
    .insertInto('themes')
    .values([
      ...defaults.themes.map((theme, index) => row(theme, index, 'general')),
      ...childDefaults.themes.map((theme, index) => row(theme, childPositionStart + index, 'children')),
    ])
    .execute()
}

/**
 * The default themes' keys (their slugs) and labels, in the order they ship: a theme of a
 * region with one of these slugs is that default theme, whatever the region renamed it to,
 * so figures of several regions can be set side by side by key (the multi-region overview).
 * Both lists: the general one and the children's (default-child-themes.json).
 */
export const defaultThemeKeys: readonly { slug: string; labels: string }[] = [...defaults.themes, ...childDefaults.themes].map((theme) => ({ slug: theme.slug, labels: JSON.stringify(theme.label) }))
