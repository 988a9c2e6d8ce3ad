import type { z } from 'zod'
import {
  aggregateQuery,
  breakdownsSchema,
  noQuery,
  regionListSchema,
  regionParams,
  regionSchema,
  summarySchema,
  themesSchema,
  weeklySchema,
} from './schemas.ts'

/**
 * Every /api/v1 endpoint with its contract, in one table: routes.ts registers a route per
 * entry (with these schemas for validation and serialisation) and openapi.ts describes
 * each entry, so the document cannot drift from what is served. Paths are in Fastify's
 * notation, below /api.
 */

export type OperationId = 'listRegions' | 'getRegion' | 'getSummary' | 'getWeekly' | 'getThemes' | 'getBreakdowns'

export interface Endpoint {
  operationId: OperationId
  path: string
  summary: string
  description: string
  params?: typeof regionParams
  query: typeof aggregateQuery | typeof noQuery
  response: z.ZodType
}

export const endpoints: Endpoint[] = [
  {
    operationId: 'listRegions',
    path: '/v1/regions',
    summary: 'The region this token opens',
    description: 'A token is bound to one region; this lists it, so that a client needs only the token.',
    query: noQuery,
    response: regionListSchema,
  },
  {
    operationId: 'getRegion',
    path: '/v1/regions/:regionId',
    summary: 'A region and its filter values',
    description: 'Partners, locations, activities and themes with their ids: the values the `partner`, `location`, `activity`, `audience` and `age` parameters accept.',
    params: regionParams,
    query: noQuery,
    response: regionSchema,
  },
  {
    operationId: 'getSummary',
    path: '/v1/regions/:regionId/summary',
    summary: 'Headline figures',
    description: 'Answers in the period, the share that tried something new, how much they liked it, and how many went on to the second step.',
    params: regionParams,
    query: aggregateQuery,
    response: summarySchema,
  },
  {
    operationId: 'getWeekly',
    path: '/v1/regions/:regionId/weekly',
    summary: 'Answers per week',
    description: 'One entry per ISO week that touches the period.',
    params: regionParams,
    query: aggregateQuery,
    response: weeklySchema,
  },
  {
    operationId: 'getThemes',
    path: '/v1/regions/:regionId/themes',
    summary: 'Learning themes: ranking and emerging themes',
    description: 'Themes chosen in the period, most chosen first, and the themes that rise clearly against the period before, with the counts that show why.',
    params: regionParams,
    query: aggregateQuery,
    response: themesSchema,
  },
  {
    operationId: 'getBreakdowns',
    path: '/v1/regions/:regionId/breakdowns',
    summary: 'Breakdowns',
    description: 'Answers by location, partner, activity, audience and age band, and age band × location.',
    params: regionParams,
    query: aggregateQuery,
    response: breakdownsSchema,
  },
]

/** The OpenAPI document's own address (public: no token needed to read the contract). */
export const openApiPath = '/v1/openapi.json'
