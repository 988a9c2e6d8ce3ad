/**
 * Imports (issue 18): activities and learning offers from UiTdatabank (Search API v3 event
 * JSON-LD) and iCalendar feeds, instead of retyping them. Its own feature folder rather than
 * part of planning/: it writes activities, offers and posters' status, where planning only
 * reads; planning shows what it brings in.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import importRoutes from './routes.ts'

export default async function importsFeature(app: FastifyInstance) {
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(importRoutes)
    },
    { prefix: '/regions/:regionId' },
  )
}

export { type FetchSettings } from './fetch.ts'
export { default as uitdatabankSchedule } from './schedule.ts'
