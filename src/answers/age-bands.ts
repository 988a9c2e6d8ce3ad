import type { AgeBand, Audience, ChildAgeBand } from '../db/types.ts'

/**
 * Age bands. Adults, youth and mixed audiences pick one of `ageBands`; a children's poster
 * asks a child in finer, simpler steps (`childAgeBands`: "jonger dan 8", "8 of 9",
 * "10 of 11"), and never shows an adult band.
 *
 * A child's band is stored in its own column and rolls up into 'under_12' in `age_band`, in
 * the same write (amendResponseIn). Every published figure (rollups, dashboard, the age ×
 * location table, CSV, API, PDF, share links, digests) reads `age_band` only, so region-wide
 * figures stay comparable with every answer given before, and the finer bands are never
 * published: split by location or week, they would be cells of one or two children, and a
 * second, finer partition of the same "jonger dan 12" cell lets a reader subtract one
 * published count from another. Publishing only the rolled-up band keeps the disclosure rule
 * (cell-key.ts) exactly as it was.
 */
export const ageBands = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus'] as const satisfies readonly AgeBand[]
export const childAgeBands = ['under_8', '8_9', '10_11'] as const satisfies readonly ChildAgeBand[]

/** The band every figure counts a child's answer in. */
export const childBandRollup: AgeBand = 'under_12'

/** The bands a poster's form offers, by the activity's audience. */
export function formAgeBands(audience: Audience): readonly (AgeBand | ChildAgeBand)[] {
  return audience === 'children' ? childAgeBands : ageBands
}

export function isChildAgeBand(band: string | null | undefined): band is ChildAgeBand {
  return (childAgeBands as readonly string[]).includes(band ?? '')
}
