/**
 * Themes: the region's list of learning themes and their keywords (edited under admin/),
 * and the free-text page where a coordinator sets an answer's themes. Other features use
 * the labels, the visible list and the text terms below.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import textRoutes from './text-routes.ts'

/** /admin/regions/:regionId/texts, inside the region scope. */
export default async function themesFeature(app: FastifyInstance) {
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(textRoutes)
    },
    { prefix: '/regions/:regionId' },
  )
}

export { defaultThemeKeys, listVisibleThemes, seedDefaultThemes, themeAudienceOf, themeLabel, type ThemeLabels } from './queries.ts'
export { textTerms } from './text-terms.ts'
export { checkSupplyThemes, type SupplyThemeError, suggestSupplyThemes, type ThemeSuggestion, withSuggestions } from './supply-themes.ts'
