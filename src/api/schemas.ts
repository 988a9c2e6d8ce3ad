import { z } from 'zod'
import { ageBandKeys, assistedChoices, audiences } from '../dashboard/index.ts'

/**
 * The contract of /api/v1, as zod schemas. Routes validate their input with them and
 * serialise their output through them (fastify-type-provider-zod): a field that is not
 * described here is dropped on the way out, so the schemas are also the list of what may
 * leave. The OpenAPI document is generated from the same schemas (openapi.ts).
 *
 * Messages in this API are English with a stable `code`: clients are programs, and the
 * people who write them read English documentation; the management pages stay in the
 * people's own language.
 */

/** Named schemas become `#/components/schemas/<id>` in the OpenAPI document. */
export const apiSchemas = z.registry<{ id: string; description?: string }>()

function named<T extends z.ZodType>(schema: T, id: string, description: string): T {
  apiSchemas.add(schema, { id, description })
  return schema
}

const day = z.iso.date()
const id = z.number().int().min(1)

const cellSchema = named(
  z.object({
    count: z.number().int().min(0),
  }),
  'Cell',
  'A published count (docs/privacy.md): the true count changed by a small fixed amount that depends only on the answers counted, ' +
    'so the same answers give the same number on every route and every day. It is 0 or at least 5, never 1…4; larger counts differ from the true one by at most 2. ' +
    'Cells of a table need not add up to its total, which is published on its own.',
)

const share = z.number().min(0).max(1).nullable().meta({ description: 'A share between 0 and 1 of two published counts, rounded to whole percent (0.01) and clamped to 0…1; null when the published whole is 0.' })
const average = z.number().min(1).max(5).nullable().meta({ description: 'Average of "how much did you like it" (1–5) over the published count of each face, rounded to one decimal; null when no face has a published count.' })

const regionRefSchema = named(z.object({ id, name: z.string() }), 'RegionRef', 'A region.')

const periodSchema = named(
  z.object({
    id: z.string().meta({ description: 'The grid period: 2026-W48, 2026-11, 2026-Q4, 2026, 2026-Q4-td or 2026-td.' }),
    from: day,
    to: day.meta({ description: 'The last day counted: the end of the period, or yesterday when the period is still running.' }),
    previousId: z.string().nullable().meta({ description: 'The grid period of the same kind just before (emerging themes compare with it).' }),
    previousFrom: day,
    previousTo: day,
  }),
  'Period',
  'Days are calendar days in Belgium (Europe/Brussels), both ends included. Figures count answers up to the end of yesterday and change once a day.',
)

export const appliedFiltersSchema = named(
  z.object({
    partner: id.optional(),
    location: id.optional(),
    municipality: z.string().optional(),
    activity: id.optional(),
    audience: z.enum(audiences).optional(),
    age: z.enum(ageBandKeys.filter((band) => band !== '') as [string, ...string[]]).optional(),
    assisted: z.enum(['only', 'exclude']).optional(),
  }),
  'AppliedFilters',
  'The filters this answer is for (those given in the query, as understood).',
)

/** What every aggregate answer starts with. */
const envelope = {
  region: regionRefSchema,
  period: periodSchema,
  filters: appliedFiltersSchema,
  threshold: z.number().int().min(3).meta({ description: 'The small-number threshold k of the perturbation: no published count is between 1 and k − 1.' }),
}

export const summarySchema = named(
  z.object({
    ...envelope,
    responses: cellSchema,
    triedNewShare: share,
    triedABitShare: share,
    likedAverage: average,
    step2Share: share.meta({ description: 'Share of answers that went on to the optional second step; rounded and null as the other shares.' }),
  }),
  'Summary',
  'Headline figures of the period.',
)

export const weeklySchema = named(
  z.object({
    ...envelope,
    weeks: z.array(
      z.object({
        week: z.string().regex(/^\d{4}-W\d{2}$/).meta({ description: 'ISO 8601 week, e.g. 2026-W48.' }),
        monday: day,
        responses: cellSchema.meta({ description: 'Answers in this week that fall inside the period (the first and last week may be partial).' }),
      }),
    ),
  }),
  'Weekly',
  'Answers per ISO week, every week that touches the period (empty weeks too).',
)

export const themeRefSchema = named(
  z.object({
    id,
    slug: z.string(),
    labels: z.record(z.string(), z.string()).meta({ description: 'The region\'s label per language code.' }),
  }),
  'ThemeRef',
  'A learning theme of the region.',
)

export const themesSchema = named(
  z.object({
    ...envelope,
    ranked: z.array(
      z.object({
        theme: themeRefSchema,
        chosen: cellSchema.meta({ description: 'How many answers chose this theme.' }),
        share: share.meta({ description: 'Share of the period\'s answers that chose this theme (one answer may choose up to three).' }),
      }),
    ),
    emerging: z.array(
      z.object({
        theme: themeRefSchema,
        current: cellSchema,
        currentTotal: cellSchema,
        previous: cellSchema,
        previousTotal: cellSchema,
      }),
    ).meta({
      description:
        'Themes chosen clearly more often than in the period before: at least `threshold` times now, and a one-sided two-proportion z-test of the shares gives z ≥ 1.96. ' +
        'The counts are the numbers that explain it: chosen `current` times out of `currentTotal` answers, against `previous` of `previousTotal`.',
    }),
  }),
  'Themes',
  'Learning themes ranked by how often they were chosen, and the emerging ones.',
)

const breakdownRow = z.object({
  key: z.string().meta({ description: 'The value for the matching filter parameter: an id for partner, location and activity; the audience or age band; `not_given` for answers without an age band.' }),
  name: z.string().nullable().meta({ description: 'The partner, location or activity name; null for audiences and age bands (the key says it).' }),
  partner: id.optional().meta({ description: 'For activities: the partner it belongs to.' }),
  responses: cellSchema,
  triedNewShare: share,
  likedAverage: average,
})

export const breakdownSchema = named(
  z.object({
    total: cellSchema,
    rows: z.array(breakdownRow),
  }),
  'Breakdown',
  'Answers split one way; the rows add up to `total` (for activities: each partner\'s activities add up to that partner\'s row).',
)

const ageBandByLocationSchema = named(
  z.object({
    columns: z.array(z.string()).meta({ description: 'Age bands, `not_given` last.' }),
    rows: z.array(z.object({ location: id, name: z.string(), cells: z.array(cellSchema), total: cellSchema })),
    columnTotals: z.array(cellSchema),
    total: cellSchema,
  }),
  'AgeBandByLocation',
  'Age band × location. Totals are the location and age-band breakdowns as published there; cells need not add up to them.',
)

export const breakdownsSchema = named(
  z.object({
    ...envelope,
    location: breakdownSchema,
    partner: breakdownSchema,
    activity: breakdownSchema,
    audience: breakdownSchema,
    ageBand: breakdownSchema,
    ageBandByLocation: ageBandByLocationSchema,
  }),
  'Breakdowns',
  'Answers by location, partner, activity, audience and age band.',
)

export const regionSchema = named(
  z.object({
    region: regionRefSchema,
    threshold: z.number().int().min(3),
    partners: z.array(z.object({ id, name: z.string() })),
    locations: z.array(z.object({ id, name: z.string() })),
    activities: z.array(z.object({ id, name: z.string(), partner: id, audience: z.enum(audiences) })),
    themes: z.array(themeRefSchema),
    audiences: z.array(z.enum(audiences)),
    ageBands: z.array(z.string()),
  }),
  'Region',
  'A region and the values its filters accept.',
)

export const regionListSchema = named(
  z.object({ regions: z.array(regionRefSchema) }),
  'RegionList',
  'The regions this token opens (a token opens exactly one).',
)

export const errorSchema = named(
  z.object({
    error: z.object({
      code: z.enum(['missing_token', 'invalid_token', 'not_found', 'invalid_parameter', 'period_off_grid', 'period_not_yet', 'too_many_filters', 'unknown_parameter', 'bad_request', 'rate_limited', 'unavailable', 'internal_error']),
      message: z.string().meta({ description: 'An English sentence for the developer; match on `code`, not on this.' }),
      parameter: z.string().optional().meta({ description: 'The query parameter that was refused.' }),
      requestId: z.string().optional().meta({ description: 'For 5xx: quote it when reporting the problem.' }),
    }),
  }),
  'Error',
  'Every error of /api has this shape.',
)

export type ErrorCode = z.infer<typeof errorSchema>['error']['code']
export type CellJson = z.infer<typeof cellSchema>

// ——— Input ———

const idText = (name: string) =>
  z
    .string({ error: `must be given once, as a numeric ${name} id` })
    .regex(/^[1-9]\d{0,8}$/, { error: `must be a numeric ${name} id` })
    .optional()
    .meta({ description: `Only answers from this ${name} (an id from GET /api/v1/regions/{regionId}).` })
const dayText = (description: string) =>
  z
    .string({ error: 'must be given once, as a date YYYY-MM-DD' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
    .optional()
    .meta({ description })

export const regionParams = z.object({
  regionId: z.string().regex(/^[1-9]\d{0,8}$/).meta({ description: 'The region id (GET /api/v1/regions lists the token\'s region).' }),
})

/** The dashboard's own filter parameters (src/dashboard/filters.ts), refused rather than dropped when they do not fit. */
export const aggregateQuery = z.strictObject({
  period: z
    .string()
    .max(16)
    .optional()
    .meta({
      description:
        'A period of the fixed grid: an ISO week (2026-W48), month (2026-11), quarter (2026-Q4), year (2026), quarter-to-date (2026-Q4-td) or year-to-date (2026-td); ' +
        'or week, month, quarter (the default), year, qtd, ytd for the one that holds yesterday. Anything else is refused with `period_off_grid`.',
    }),
  from: dayText('Not accepted: free day ranges are refused with `period_off_grid` (two ranges a day apart would publish that day).'),
  to: dayText('Not accepted, as `from`.'),
  partner: idText('partner'),
  location: idText('location'),
  municipality: z
    .string({ error: 'must be given once, as a municipality code' })
    .regex(/^\d{5}$/, { error: 'must be a five-digit municipality code (Statbel NIS)' })
    .optional()
    .meta({ description: 'Only answers at the region\'s locations in this municipality: its Statbel (NIS) code of 1 January 2025; a code merged in 2025 is read as the new one.' }),
  activity: idText('activity'),
  audience: z
    .enum(audiences, { error: `must be one of ${audiences.join(', ')}` })
    .optional()
    .meta({ description: 'Only answers at activities for this audience.' }),
  age: z
    .enum(ageBandKeys.filter((band) => band !== '') as [string, ...string[]], { error: `must be one of ${ageBandKeys.filter((band) => band !== '').join(', ')}` })
    .optional()
    .meta({ description: 'Only answers that gave this age band.' }),
  assisted: z
    .enum(assistedChoices, { error: `must be one of ${assistedChoices.join(', ')}` })
    .optional()
    .meta({
      description:
        'Answers a staff member recorded on a person\'s behalf at a walk-in point: include (the default, no filter), only, or exclude. only and exclude count as a filter.',
    }),
})

export type AggregateQuery = z.infer<typeof aggregateQuery>

/** Endpoints without filters accept no query parameters at all. */
export const noQuery = z.strictObject({})
