import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { today } from '../answers/index.ts'
import { audit } from '../audit/log.ts'
import { can } from '../auth/permissions.ts'
import { listRegionUsers } from '../auth/users.ts'
import type { Region } from '../db/types.ts'
import { allow, currentUser, type FieldErrors, fieldErrors, formBody, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, staffLanguage } from '../staff/index.ts'
import {
  acceptProposal,
  addCriterion,
  addPanelMember,
  criterionBody,
  isOnPanel,
  latestScores,
  listProposals,
  noteSchema,
  panelMembers,
  proposalScore,
  regionCriteria,
  removePanelMember,
  retireCriterion,
  scoreSchema,
  setWeights,
  storeScores,
  weightHistory,
  weightSchema,
} from './criteria.ts'
import { defaultPlanningPeriod, loadPlanning } from './planning.ts'
import type { PlanningRouteOptions } from './routes.ts'

/**
 * The criteria and the panel (coordinators), the ranked proposals and the scoring form
 * (the panel), accepting a proposal (coordinators). Under /admin/regions/:regionId/planning.
 */
export default async function proposalRoutes(app: FastifyInstance, options: PlanningRouteOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const now = options.now ?? (() => new Date())

  // ——— Criteria and panel ———

  async function criteriaPage(request: FastifyRequest, reply: FastifyReply, region: Region, extra: { values?: object; errors?: FieldErrors; weightErrors?: FieldErrors; panelErrors?: FieldErrors; weightValues?: Record<string, unknown> } = {}, status = 200) {
    const [criteria, history, panel, people] = await Promise.all([regionCriteria(db, region.id), weightHistory(db, region.id), panelMembers(db, region.id), listRegionUsers(db, region.id)])
    const onPanel = new Set(panel.map((member) => member.id))
    return renderStaffPage(request, reply, 'planning/criteria', 'admin.criteria.title', {
      criteria,
      history,
      panel,
      candidates: people.filter((person) => person.disabled_at === null && !onPanel.has(person.id)),
      values: {},
      errors: {},
      weightErrors: {},
      panelErrors: {},
      weightValues: Object.fromEntries(criteria.map((criterion) => [`weight_${criterion.id}`, String(criterion.weight)])),
      ...extra,
    }, { status })
  }

  routes.get('/planning/criteria', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'criteria', regionId: region.id })
    return criteriaPage(request, reply, region)
  })

  routes.post('/planning/criteria', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'criteria', regionId: region.id })
    const parsed = criterionBody.safeParse(request.body)
    if (!parsed.success) return criteriaPage(request, reply, region, { values: request.body, errors: fieldErrors(parsed.error) }, 422)
    const id = await addCriterion(db, region.id, parsed.data.label, parsed.data.weight, user.id)
    await audit(db, { userId: user.id, action: 'criterion.create', resourceType: 'criterion', resourceId: id, regionId: region.id, detail: { weight: parsed.data.weight } })
    return reply.redirect(`/admin/regions/${region.id}/planning/criteria`, 303)
  })

  routes.post('/planning/criteria/weights', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'criteria', regionId: region.id })
    const criteria = await regionCriteria(db, region.id)
    const weights = new Map<number, number>()
    const errors: FieldErrors = {}
    for (const criterion of criteria) {
      const field = `weight_${criterion.id}`
      if (request.body[field] === undefined) continue
      const parsed = weightSchema.safeParse(request.body[field])
      if (parsed.success) weights.set(criterion.id, parsed.data)
      else errors[field] = 'admin.criteria.weight.invalid'
    }
    // One wrong weight and none is stored: a half-saved table would re-rank on weights nobody chose.
    if (Object.keys(errors).length > 0) return criteriaPage(request, reply, region, { weightErrors: errors, weightValues: request.body }, 422)
    const changed = await setWeights(db, region.id, weights, user.id)
    if (changed > 0) await audit(db, { userId: user.id, action: 'criterion.weights', resourceType: 'region', resourceId: region.id, regionId: region.id, detail: { changed } })
    return reply.redirect(`/admin/regions/${region.id}/planning/criteria`, 303)
  })

  routes.post('/planning/criteria/:criterionId/retire', { schema: { params: z.object({ criterionId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'criteria', regionId: region.id })
    if (!(await retireCriterion(db, region.id, request.params.criterionId))) throw new NotFound()
    await audit(db, { userId: user.id, action: 'criterion.retire', resourceType: 'criterion', resourceId: request.params.criterionId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/planning/criteria`, 303)
  })

  routes.post('/planning/panel', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'criteria', regionId: region.id })
    const raw = request.body.user_id
    const people = await listRegionUsers(db, region.id)
    const person = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? people.find((p) => p.id === Number(raw) && p.disabled_at === null) : undefined
    if (person === undefined) return criteriaPage(request, reply, region, { panelErrors: { user_id: 'admin.panel.user.invalid' } }, 422)
    await addPanelMember(db, region.id, person.id, user.id)
    await audit(db, { userId: user.id, action: 'panel.add', resourceType: 'user', resourceId: person.id, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/planning/criteria#panel`, 303)
  })

  routes.post('/planning/panel/:userId/remove', { schema: { params: z.object({ userId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'criteria', regionId: region.id })
    if (!(await removePanelMember(db, region.id, request.params.userId))) throw new NotFound()
    await audit(db, { userId: user.id, action: 'panel.remove', resourceType: 'user', resourceId: request.params.userId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/planning/criteria#panel`, 303)
  })

  // ——— Proposals ———

  async function onPanel(request: FastifyRequest, regionId: number) {
    return isOnPanel(db, regionId, currentUser(request).id)
  }

  routes.get('/planning/proposals', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'proposal', regionId: region.id, onPanel: await onPanel(request, region.id) })
    const lang = staffLanguage(request)
    const [proposals, criteria, panel] = await Promise.all([listProposals(db, region.id), regionCriteria(db, region.id), panelMembers(db, region.id)])
    const scores = await latestScores(db, proposals.map((p) => p.id))
    const themes = proposals.length === 0 ? [] : await db.selectFrom('activity_themes').select(['activity_id', 'theme_id']).where('activity_id', 'in', proposals.map((p) => p.id)).execute()
    // Which need each proposal answers: its themes' verdicts on the planning page (the default period), by the same rules of who sees what.
    const day = today(now())
    const partnerId = user.role === 'partner' ? user.partnerIds[0] : undefined
    const plan = await loadPlanning(db, { regionId: region.id, period: defaultPlanningPeriod(day), today: day, language: lang, viewerIsPartner: user.role === 'partner', ...(partnerId === undefined ? {} : { partnerId }) })
    const rowOf = new Map(plan.rows.map((row) => [row.themeId, row]))
    const panelIds = new Set(panel.map((member) => member.id))
    const ranked = proposals
      .map((proposal) => ({
        ...proposal,
        ...proposalScore(criteria, scores.filter((s) => s.activityId === proposal.id), panelIds),
        needs: themes.filter((t) => t.activity_id === proposal.id).flatMap((t) => {
          const row = rowOf.get(t.theme_id)
          return row ? [{ label: row.label, verdict: row.verdict }] : []
        }),
      }))
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.title.localeCompare(b.title, lang))
    return renderStaffPage(request, reply, 'planning/proposals', 'admin.proposals.title', { proposals: ranked, periodId: plan.periodId, numbers: new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })
  })

  async function proposalOf(request: FastifyRequest, region: Region, activityId: number) {
    const panel = await onPanel(request, region.id)
    allow(request, 'view', { type: 'proposal', regionId: region.id, onPanel: panel })
    const proposal = (await listProposals(db, region.id)).find((p) => p.id === activityId)
    if (proposal === undefined) throw new NotFound()
    return { proposal, panel }
  }

  async function proposalPage(request: FastifyRequest, reply: FastifyReply, region: Region, proposal: Awaited<ReturnType<typeof proposalOf>>['proposal'], panel: boolean, extra: { values?: Record<string, unknown>; errors?: FieldErrors } = {}, status = 200) {
    const user = currentUser(request)
    const criteria = await regionCriteria(db, region.id)
    const mine = (await latestScores(db, [proposal.id])).filter((s) => s.userId === user.id)
    const values: Record<string, unknown> = {}
    for (const s of mine) {
      values[`score_${s.criterionId}`] = String(s.score)
      values[`note_${s.criterionId}`] = s.note ?? ''
    }
    const canScore = can(user, 'view', { type: 'proposal', regionId: region.id, onPanel: panel, partnerId: proposal.partner_id, scoring: true })
    const ownPartner = user.role === 'partner' && user.partnerIds.includes(proposal.partner_id)
    return renderStaffPage(request, reply, 'planning/proposal', (t) => t('admin.proposal.title', { title: proposal.title }), {
      proposal,
      criteria,
      canScore,
      ownPartner,
      canAccept: can(user, 'manage', { type: 'proposal', regionId: region.id, onPanel: panel }),
      values: { ...values, ...(extra.values ?? {}) },
      errors: extra.errors ?? {},
    }, { status })
  }

  const proposalParams = z.object({ activityId: idSchema })

  routes.get('/planning/proposals/:activityId', { schema: { params: proposalParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const { proposal, panel } = await proposalOf(request, region, request.params.activityId)
    return proposalPage(request, reply, region, proposal, panel)
  })

  routes.post('/planning/proposals/:activityId/scores', { schema: { params: proposalParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const { proposal, panel } = await proposalOf(request, region, request.params.activityId)
    const user = allow(request, 'view', { type: 'proposal', regionId: region.id, onPanel: panel, partnerId: proposal.partner_id, scoring: true })
    const criteria = await regionCriteria(db, region.id)
    const scores: { criterionId: number; score: number; note: string | null }[] = []
    const errors: FieldErrors = {}
    for (const criterion of criteria) {
      const raw = request.body[`score_${criterion.id}`]
      const note = noteSchema.safeParse(request.body[`note_${criterion.id}`])
      if (!note.success) errors[`note_${criterion.id}`] = 'admin.error.too_long'
      // A criterion left open is not scored (yet); anything else must be 1 … 5.
      if (raw === undefined || raw === '') continue
      const score = scoreSchema.safeParse(raw)
      if (!score.success) errors[`score_${criterion.id}`] = 'admin.proposal.score.invalid'
      else if (note.success) scores.push({ criterionId: criterion.id, score: score.data, note: note.data })
    }
    if (Object.keys(errors).length > 0) return proposalPage(request, reply, region, proposal, panel, { values: request.body, errors }, 422)
    await storeScores(db, proposal.id, user.id, scores)
    await audit(db, { userId: user.id, action: 'proposal.score', resourceType: 'activity', resourceId: proposal.id, regionId: region.id, detail: { criteria: scores.length } })
    return reply.redirect(`/admin/regions/${region.id}/planning/proposals`, 303)
  })

  routes.post('/planning/proposals/:activityId/accept', { schema: { params: proposalParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const { proposal, panel } = await proposalOf(request, region, request.params.activityId)
    const user = allow(request, 'manage', { type: 'proposal', regionId: region.id, onPanel: panel })
    if (!(await acceptProposal(db, region.id, proposal.id))) throw new NotFound()
    await audit(db, { userId: user.id, action: 'proposal.accept', resourceType: 'activity', resourceId: proposal.id, regionId: region.id, detail: { title: proposal.title } })
    return reply.redirect(`/admin/regions/${region.id}/activities/${proposal.id}#posters`, 303)
  })
}
