import type { Kysely } from 'kysely'
import type { Database, Theme } from '../db/types.ts'
import defaults from './default-themes.json' with { type: 'json' }

export interface ThemeLabels {
  [language: string]: string
}

/** The label in the wanted language, else Dutch, else the first one there is. */
export function themeLabel(theme: Pick<Theme, 'labels'>, language: string): string {
  const labels = JSON.parse(theme.labels) as ThemeLabels
  return labels[language] ?? labels.nl ?? Object.values(labels)[0] ?? ''
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
