import { z } from 'zod'
import { ageBandKeys, audiences } from '../dashboard/dashboard.ts'

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

export const cellSchema = named(
  z.union([
    z.object({
      count: z.number().int().min(0),
      suppressed: z.literal(false),
    }),
    z.object({
      count: z.null(),
      suppressed: z.literal(true),
      reason: z.literal('small'),
      /** The threshold: the count is at least 1 and below this. */
      below: z.number().int().min(3),
    }),
    z.object({
      count: z.null(),
      suppressed: z.literal(true),
      reason: z.enum(['complementary', 'withheld']),
    }),
  ]),
  'Cell',
  'A count. `suppressed: false`: `count` is the number (0 included). `reason: "small"`: between 1 and `below` − 1, hidden so that nobody can be recognised. ' +
    '`reason: "complementary"`: at least the threshold, hidden so that a small count elsewhere cannot be worked out from the totals. ' +
    '`reason: "withheld"`: the whole table is withheld because no pattern of hidden cells protects its small counts.',
)

const share = z.number().min(0).max(1).nullable().meta({ description: 'A share between 0 and 1, rounded to whole percent (0.01); null when it rests on fewer answers than the threshold or its count is hidden.' })
const average = z.number().min(1).max(5).nullable().meta({ description: 'Average of "how much did you like it" (1–5), rounded to one decimal; null when fewer answers than the threshold rated it or its count is hidden.' })

export const regionRefSchema = named(z.object({ id, name: z.string() }), 'RegionRef', 'A region.')

export const periodSchema = named(
  z.object({
    name: z.enum(['4w', 'quarter', 'year', 'custom']),
    from: day,
    to: day,
    previousFrom: day.meta({ description: 'First day of the period of equal length just before (emerging themes compare with it).' }),
    previousTo: day,
  }),
  'Period',
  'Days are calendar days in Belgium (Europe/Brussels), both ends included.',
)

export const appliedFiltersSchema = named(
  z.object({
    partner: id.optional(),
    location: id.optional(),
    activity: id.optional(),
    audience: z.enum(audiences).optional(),
    age: z.enum(ageBandKeys.filter((band) => band !== '') as [string, ...string[]]).optional(),
  }),
  'AppliedFilters',
  'The filters this answer is for (those given in the query, as understood).',
)

/** What every aggregate answer starts with. */
const envelope = {
  region: regionRefSchema,
  period: periodSchema,
  filters: appliedFiltersSchema,
  threshold: z.number().int().min(3).meta({ description: 'The region\'s small-number threshold k: counts from 1 to k − 1 are never shown.' }),
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
    withheld: z.boolean(),
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
    withheld: z.boolean().meta({ description: 'True when no pattern of hidden cells protects the small counts: then no row\'s count is shown.' }),
    total: cellSchema,
    rows: z.array(breakdownRow),
  }),
  'Breakdown',
  'Answers split one way; the rows add up to `total` (for activities: each partner\'s activities add up to that partner\'s row).',
)

export const ageBandByLocationSchema = named(
  z.object({
    threshold: z.number().int().min(3).meta({ description: 'This table uses a higher threshold (at least 10): an age band at one location singles people out sooner.' }),
    withheld: z.boolean(),
    columns: z.array(z.string()).meta({ description: 'Age bands, `not_given` last.' }),
    rows: z.array(z.object({ location: id, name: z.string(), cells: z.array(cellSchema), total: cellSchema })),
    columnTotals: z.array(cellSchema),
    total: cellSchema,
  }),
  'AgeBandByLocation',
  'Age band × location. Totals are the location and age-band breakdowns as published there, with their own threshold (`below` says which).',
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
      code: z.enum(['missing_token', 'invalid_token', 'not_found', 'invalid_parameter', 'unknown_parameter', 'bad_request', 'rate_limited', 'unavailable', 'internal_error']),
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
    .enum(['4w', 'quarter', 'year', 'custom'], { error: 'must be one of 4w, quarter, year, custom' })
    .optional()
    .meta({ description: 'The last 4 weeks, 13 weeks (`quarter`, the default) or 365 days, ending today; or `custom` with `from` and `to`.' }),
  from: dayText('First day (with period=custom).'),
  to: dayText('Last day, included (with period=custom); at most five years after `from`.'),
  partner: idText('partner'),
  location: idText('location'),
  activity: idText('activity'),
  audience: z
    .enum(audiences, { error: `must be one of ${audiences.join(', ')}` })
    .optional()
    .meta({ description: 'Only answers at activities for this audience.' }),
  age: z
    .enum(ageBandKeys.filter((band) => band !== '') as [string, ...string[]], { error: `must be one of ${ageBandKeys.filter((band) => band !== '').join(', ')}` })
    .optional()
    .meta({ description: 'Only answers that gave this age band.' }),
})

export type AggregateQuery = z.infer<typeof aggregateQuery>

/** Endpoints without filters accept no query parameters at all. */
export const noQuery = z.strictObject({})
