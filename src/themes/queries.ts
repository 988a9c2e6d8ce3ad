import type { Kysely } from 'kysely'
import type { Database, Theme } from '../db/types.ts'
import defaults from './default-themes.json' with { type: 'json' }

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

export function listVisibleThemes(db: Kysely<Database>, regionId: number): Promise<Theme[]> {
  return db
    .selectFrom('themes')
    .selectAll()
    .where('region_id', '=', regionId)
    .where('hidden', '=', 0)
    .orderBy('position')
    .orderBy('id')
    .execute()
}

/** Gives a new region the default learning themes that ship with Leervraag. */
export async function seedDefaultThemes(db: Kysely<Database>, regionId: number): Promise<void> {
  const now = new Date().toISOString()
  await db
    .insertInto('themes')
    .values(
      defaults.themes.map((theme, index) => ({
        region_id: regionId,
        slug: theme.slug,
        icon: theme.icon,
        labels: JSON.stringify(theme.label),
        keywords: JSON.stringify(theme.keywords),
        position: index,
        created_at: now,
      })),
    )
    .execute()
}

/**
 * The default themes' keys (their slugs) and labels, in the order they ship: a theme of a
 * region with one of these slugs is that default theme, whatever the region renamed it to,
 * so figures of several regions can be set side by side by key (the multi-region overview).
 */
export const defaultThemeKeys: readonly { slug: string; labels: string }[] = defaults.themes.map((theme) => ({ slug: theme.slug, labels: JSON.stringify(theme.label) }))
