/**
 * Emerging themes: asked for clearly more often in the current period than in the one
 * of equal length before it, relative to the number of answers in each.
 *
 * A theme is flagged only when (a) its current count is at least the small-number
 * threshold k, so that a flag never points at a handful of people, and (b) a one-sided
 * two-proportion z-test says the rise is unlikely to be chance at 95 % (z ≥ 1.96; the
 * same cut-off as the usual two-sided test, so a flag is conservative). With no answers
 * at all in the previous period there is nothing to compare with, and no flag.
 */

export const zCritical = 1.96

export interface ThemeCounts {
  themeId: number
  current: number
  previous: number
}

export interface EmergingTheme extends ThemeCounts {
  currentTotal: number
  previousTotal: number
  /** The z-score of the rise in share; null when it cannot be computed. */
  z: number | null
  emerging: boolean
}

/** z for p₁ = c₁/n₁ against p₀ = c₀/n₀ with the pooled proportion; null if undefined. */
export function twoProportionZ(current: number, currentTotal: number, previous: number, previousTotal: number): number | null {
  if (currentTotal <= 0 || previousTotal <= 0) return null
  const pooled = (current + previous) / (currentTotal + previousTotal)
  const variance = pooled * (1 - pooled) * (1 / currentTotal + 1 / previousTotal)
  if (variance <= 0) return null
  return (current / currentTotal - previous / previousTotal) / Math.sqrt(variance)
}

/** Every theme with its test, the flagged ones first (largest z first), then the rest. */
export function emergingThemes(
  counts: readonly ThemeCounts[],
  totals: { current: number; previous: number },
  k: number,
): EmergingTheme[] {
  const tested = counts.map((theme) => {
    const z = twoProportionZ(theme.current, totals.current, theme.previous, totals.previous)
    const emerging = theme.current >= k && z !== null && z >= zCritical
    return { ...theme, currentTotal: totals.current, previousTotal: totals.previous, z, emerging }
  })
  return tested.sort((a, b) => Number(b.emerging) - Number(a.emerging) || (b.z ?? -Infinity) - (a.z ?? -Infinity) || a.themeId - b.themeId)
}
