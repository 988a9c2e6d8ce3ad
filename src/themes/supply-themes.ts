import type { Kysely } from 'kysely'
import { classify, compileThemes } from '../answers/index.ts'
import type { Audience, Database, Theme } from '../db/types.ts'
import { themeAudienceOf } from './queries.ts'

/**
 * Themes on the supply side: activities and learning offers carry up to three of their
 * region's themes, so that the planning page can set them beside what people ask for.
 *
 * The limit is the same three a citizen may choose on step 2: an offer "about everything"
 * would count as supply for every need and hide the gaps the planning page is there to show.
 */
const maxSupplyThemes = 3

export type SupplyThemeError = 'admin.supply_themes.too_many' | 'admin.supply_themes.unknown'

/**
 * Checks the themes a form sent for an activity or offer of `regionId`: at most three, each
 * a theme of this region. An id of another region, or one that does not exist, is refused
 * rather than dropped, so the person sees that the form was not saved as they sent it.
 */
export async function checkSupplyThemes(db: Kysely<Database>, regionId: number, ids: readonly number[]): Promise<{ ids: number[] } | { error: SupplyThemeError }> {
  const unique = [...new Set(ids)]
  if (unique.length > maxSupplyThemes) return { error: 'admin.supply_themes.too_many' }
  if (unique.length === 0) return { ids: [] }
  const rows = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).where('id', 'in', unique).execute()
  if (rows.length !== unique.length) return { error: 'admin.supply_themes.unknown' }
  return { ids: unique }
}

export interface ThemeSuggestion {
  themeId: number
  /** The words of the title or description that matched, to explain the suggestion. */
  matched: string
}

/**
 * Themes the keyword classifier of the answers (answers/classify.ts) finds in an
 * activity's or offer's title and description: the same keywords that place a citizen's
 * free text, so that "need" and "offer" are sorted by one rule. Hidden themes are left out:
 * nobody can choose them on the form. A suggestion is only that: the form shows it ticked
 * and marked, and nothing is stored until the person saves. Suggestions come from the list
 * the activity's or offer's audience would be asked about (a children's activity: the
 * children's themes), as the citizen's free text is classified; any theme may still be ticked.
 */
export function suggestSupplyThemes(themes: readonly Theme[], title: string, description: string | null | undefined, audience: Audience): ThemeSuggestion[] {
  const visible = themes.filter((theme) => theme.hidden === 0 && theme.audience === themeAudienceOf(audience))
  const text = [title, description ?? ''].join('\n')
  const order = new Map(visible.map((theme, index) => [theme.id, index]))
  return classify(text, compileThemes(visible)).sort((a, b) => order.get(a.themeId)! - order.get(b.themeId)!)
}

/**
 * What a form shows after "suggest themes": the themes the person already ticked stay, the
 * suggested ones are added in the region's order until there are three. Suggestions that
 * did not fit are still listed (unticked) so that the person can swap one in.
 */
export function withSuggestions(chosen: readonly number[], suggestions: readonly ThemeSuggestion[]): { ticked: number[]; suggested: Map<number, string> } {
  const ticked = [...new Set(chosen)].slice(0, maxSupplyThemes)
  const suggested = new Map<number, string>()
  for (const suggestion of suggestions) {
    suggested.set(suggestion.themeId, suggestion.matched)
    if (ticked.length < maxSupplyThemes && !ticked.includes(suggestion.themeId)) ticked.push(suggestion.themeId)
  }
  return { ticked, suggested }
}
