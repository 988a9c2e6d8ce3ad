/**
 * Follow-up: the contact question a citizen may answer, the bridge figures' queue, learning
 * offers, moderation of free text, data subject requests, withdrawal and retention. The one
 * door other features and app.ts use.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import moderationRoutes from './moderation-routes.ts'
import offerRoutes from './offer-routes.ts'
import pathRoutes from './path-routes.ts'
import queueRoutes from './queue-routes.ts'
import subjectRoutes from './subject-routes.ts'

/**
 * The staff side, mounted at /admin inside the signed-in area: the queue, offers and
 * moderation of a region (under the region scope), and the data subject requests.
 */
export default async function followupFeature(app: FastifyInstance) {
  await app.register(subjectRoutes)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(queueRoutes)
      await region.register(pathRoutes)
      await region.register(offerRoutes)
      await region.register(moderationRoutes)
    },
    { prefix: '/regions/:regionId' },
  )
}

// The public withdrawal link (outside the staff scope) and the retention schedule, for app.ts.
export { default as withdrawRoutes } from './withdraw-routes.ts'
export { default as retentionSchedule, type RetentionScheduleOptions } from './retention-schedule.ts'

// The contact question on the citizen form (capture).
export { assistedConsentText, consentText, contactRequestRow, goodMoments, languageFromName, newWithdrawalToken, parseContactForm, withdrawalTokenPattern } from './contact-form.ts'
export { offersForResponse, upsertContactRequest } from './queries.ts'
export { mailPathLink } from './path-link-mail.ts'

// The bridge figure's start page (admin's /admin): their claimed and the unclaimed requests.
export { bridgeWorklist, type Worklist, type WorklistItem } from './worklist.ts'
export { languageNames } from './language-names.ts'

// Moderated quotes, for the dashboard.
export { approvedQuotes } from './moderation.ts'

// What became of the follow-up, in published counts: for the digest and the report's second page.
export { type OutcomeKind, outcomeKinds, nextStepKinds, pathStepCounts, pathsNextStep } from './outcomes.ts'
