import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { addDays, compileThemes, dayStartUtc, namedPeriod, today } from '../answers/index.ts'
import type { Kysely } from 'kysely'
import type { Database, Region, ThemeSource } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, formBody, idSchema, pageQuery, regionOf, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { correctThemes, keywordSuggestions, listTexts, maxCorrectedThemes, type TextRow } from './corrections.ts'
import { themeLabel } from './queries.ts'

const shows = ['unclassified', 'all'] as const
const periods = ['4w', 'quarter', 'year'] as const
type Show = (typeof shows)[number]
type PeriodChoice = (typeof periods)[number]

// The route schema fixes the query's shape (text, once each). The values are checked in the
// handler: a wrong one gives the list with a message next to the filters (400), so that the
// person sees what to choose instead of the bare 400 page.
const textsRoute = pageQuery.extend({ show: z.string().optional(), period: z.string().optional(), saved: z.string().optional() })
const textsQuery = z.object({
  show: z.string().max(16).optional(),
  period: z.string().max(16).optional(),
  saved: z.string().max(12).optional(),
})
const correctionParams = z.object({ responseId: idSchema })

const themeIdList = z
  .union([z.string(), z.array(z.string()).max(50)])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
const correctionBody = z.object({
  themes: themeIdList,
  show: z.string().max(16).optional(),
  period: z.string().max(16).optional(),
})

/** How many texts one page lists (the newest); the count of all of them is shown. */
const pageSize = 50
/** How many unclassified texts feed the keyword suggestions. */
const suggestionWindow = 500

interface PageState {
  show: Show
  period: PeriodChoice
  notices: MessageKey[]
  /** The text whose form failed, with what was ticked and why it was refused. */
  failed?: { responseId: number; themeIds: string[]; error: MessageKey }
  saved?: number
}

/** The texts page, with the state of its filters and of a form that failed. */
async function textsPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, state: PageState, status = 200) {
  const lang = staffLanguage(request)
  const until = today(new Date())
  const period = namedPeriod(state.period, until)
  const window = { from: dayStartUtc(period.from), to: dayStartUtc(addDays(period.to, 1)) }
  const themes = await db.selectFrom('themes').selectAll().where('region_id', '=', region.id).orderBy('position').orderBy('id').execute()
  const labels = new Map(themes.map((theme) => [theme.id, themeLabel(theme, lang)]))
  const visible = themes.filter((theme) => theme.hidden === 0)
  // The keywords as the citizen form uses them now (visible themes only), one list per audience.
  const matchers = {
    general: compileThemes(visible.filter((theme) => theme.audience === 'general')),
    children: compileThemes(visible.filter((theme) => theme.audience === 'children')),
  }
  const [unclassified, recent] = await Promise.all([
    listTexts(db, region.id, { ...window, unclassified: true, matchers, limit: suggestionWindow }),
    listTexts(db, region.id, { ...window, unclassified: false, matchers, limit: suggestionWindow }),
  ])
  const listed = state.show === 'unclassified' ? unclassified : recent
  const base = `/admin/regions/${region.id}/texts`
  const rows = listed.rows.slice(0, pageSize).map((row: TextRow) => {
    const attached = new Set(row.themes.map((theme) => theme.themeId))
    const chosen = new Set(row.themes.filter((theme) => theme.source === 'chosen').map((theme) => theme.themeId))
    const failed = state.failed?.responseId === row.responseId ? state.failed : undefined
    const ticked = failed ? new Set(failed.themeIds) : new Set(row.themes.filter((theme) => theme.source !== 'chosen').map((theme) => String(theme.themeId)))
    return {
      ...row,
      date: row.createdAt.slice(0, 10),
      themes: row.themes.map((theme) => ({
        ...theme,
        label: labels.get(theme.themeId) ?? `#${theme.themeId}`,
        why: why(theme.source),
        // A match on a theme the person also ticked is stored as their choice: say it matched too.
        matched: theme.matched ?? row.matches.find((match) => match.themeId === theme.themeId)?.matched ?? null,
      })),
      // Keywords added since the text came in may place it now; those are not counted until set here.
      newMatches: row.matches.filter((match) => !attached.has(match.themeId)).map((match) => ({ label: labels.get(match.themeId) ?? `#${match.themeId}`, matched: match.matched })),
      // The visible themes of the list this answer's poster offers, and any other one it already has.
      options: themes
        .filter((theme) => (theme.hidden === 0 && theme.audience === row.themeAudience) || attached.has(theme.id))
        .map((theme) => ({ id: theme.id, label: labels.get(theme.id)!, chosen: chosen.has(theme.id), checked: chosen.has(theme.id) || ticked.has(String(theme.id)) })),
      error: failed?.error,
      saved: state.saved === row.responseId,
    }
  })
  return renderStaffPage(
    request,
    reply,
    'themes/texts',
    'admin.texts.title',
    {
      rows,
      total: listed.total,
      shown: rows.length,
      unclassifiedCount: unclassified.total,
      suggestions: keywordSuggestions(
        unclassified.rows.map((row) => row.text),
        recent.rows.filter((row) => row.matches.length > 0).map((row) => row.text),
      ),
      keywordPages: visible.map((theme) => ({ label: labels.get(theme.id)!, href: `/admin/regions/${region.id}/themes/${theme.id}` })),
      show: state.show,
      period: state.period,
      periodText: { from: period.from, to: period.to },
      shows,
      periods,
      notices: state.notices,
      action: base,
      max: maxCorrectedThemes,
    },
    { status },
  )
}

function why(source: ThemeSource): MessageKey {
  return `admin.texts.source.${source}` as MessageKey
}

/** The list's filters from a query or a form; unknown values fall back with a notice. */
function stateOf(raw: { show?: string | undefined; period?: string | undefined }): PageState {
  const notices: MessageKey[] = []
  let show: Show = 'unclassified'
  let period: PeriodChoice = 'quarter'
  if (raw.show !== undefined && raw.show !== '') {
    if ((shows as readonly string[]).includes(raw.show)) show = raw.show as Show
    else notices.push('admin.texts.error.show')
  }
  if (raw.period !== undefined && raw.period !== '') {
    if ((periods as readonly string[]).includes(raw.period)) period = raw.period as PeriodChoice
    else notices.push('admin.texts.error.period')
  }
  return { show, period, notices }
}

/**
 * /admin/regions/:regionId/texts: the region's free texts, by default the ones the keywords
 * could not place, with their themes and why ("matched: 'naaien'"), a form per text to set
 * its themes, and words that might make good keywords. For coordinators and admins: the
 * same people who edit the themes' keywords (partner members and bridge figures do not).
 */
export default async function textRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.get('/texts', { schema: { querystring: textsRoute } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'free-text', regionId: region.id })
    const parsed = textsQuery.safeParse(request.query)
    if (!parsed.success) return textsPage(app.db, request, reply, region, { show: 'unclassified', period: 'quarter', notices: ['admin.texts.error.query'] }, 400)
    const state = stateOf(parsed.data)
    const saved = parsed.data.saved !== undefined && /^\d{1,9}$/.test(parsed.data.saved) ? Number(parsed.data.saved) : undefined
    return textsPage(app.db, request, reply, region, { ...state, ...(saved === undefined ? {} : { saved }) }, state.notices.length > 0 ? 400 : 200)
  })

  routes.post('/texts/:responseId/themes', { schema: { params: correctionParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'free-text', regionId: region.id })
    const { responseId } = request.params
    const parsed = correctionBody.safeParse(request.body)
    const state = stateOf(parsed.success ? parsed.data : {})
    state.notices = []
    const refuse = (error: MessageKey, status: number, themeIds: string[] = []) =>
      textsPage(app.db, request, reply, region, { ...state, notices: [error], failed: { responseId, themeIds, error } }, status)
    if (!parsed.success) return refuse('admin.texts.error.themes', 422)
    const raw = parsed.data.themes
    if (raw.some((id) => !/^\d{1,9}$/.test(id))) return refuse('admin.texts.error.themes', 422, raw)
    if (new Set(raw).size > maxCorrectedThemes) return refuse('admin.texts.error.too_many', 422, raw)
    const result = await correctThemes(app.db, { regionId: region.id, responseId, themeIds: raw.map(Number), userId: user.id })
    if (!result.ok) {
      // Another region's answer, an erased or a hidden text: the same message, so ids cannot be probed.
      if (result.reason === 'not_found') return refuse('admin.texts.error.not_found', 404)
      return refuse(result.reason === 'too_many' ? 'admin.texts.error.too_many' : 'admin.texts.error.themes', 422, raw)
    }
    await audit(app.db, {
      userId: user.id,
      action: 'response.themes.correct',
      resourceType: 'response',
      resourceId: responseId,
      regionId: region.id,
      detail: { before: result.before, after: result.after },
    })
    const back = new URLSearchParams({ show: state.show, period: state.period, saved: String(responseId) })
    return reply.redirect(`/admin/regions/${region.id}/texts?${back.toString()}#text-${responseId}`, 303)
  })
}
