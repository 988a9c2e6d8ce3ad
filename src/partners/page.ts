import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { disclosureTerms, localDay } from '../answers/index.ts'
import { type GridPeriod, GridPeriodError, parseGridPeriod, periodId } from '../answers/period-grid.ts'
import { can } from '../auth/permissions.ts'
import { listActiveShareLinks } from '../dashboard/index.ts'
import type { Database, Partner, Region } from '../db/types.ts'
import { type Translate, translator } from '../i18n/i18n.ts'
import { currentUser, type FieldErrors, type FormFields, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { themeLabel } from '../themes/index.ts'
import { completePeriods, type PartnerFigures, partnerFigures, share } from './figures.ts'

const monthNames: Record<string, string[]> = {
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
}

/** A grid period in words ("november 2026", "Q4 2026", "2026"). */
export function periodName(p: GridPeriod, lang: string, t: Translate): string {
  switch (p.kind) {
    case 'month':
      return `${(monthNames[lang] ?? monthNames.nl!)[p.month - 1]} ${p.year}`
    case 'quarter':
    case 'qtd':
      return t('admin.partner.page.quarter', { q: String(p.quarter), year: String(p.year) })
    default:
      return String(p.year)
  }
}

/**
 * The period a page asks for: one of the complete periods it offers, or the latest complete
 * month. Anything else (off the grid, not complete yet, unparseable) falls back to it: a
 * period that is not offered is never counted.
 */
export function choosePeriod(requested: string | undefined, today: string): GridPeriod {
  const offered = completePeriods(today)
  if (requested !== undefined) {
    try {
      const parsed = parseGridPeriod(requested, today)
      const found = offered.find((p) => periodId(p) === periodId(parsed))
      if (found) return found
    } catch (error) {
      if (!(error instanceof GridPeriodError)) throw error
    }
  }
  return offered[0]!
}

const percent = (value: number | null) => (value === null ? null : Math.round(value * 100))

/** What the template shows: published counts and the shares worked out from them. */
export function presentFigures(figures: PartnerFigures, lang: string, t: Translate) {
  const c = figures.collected
  return {
    disclosure: disclosureTerms,
    periodText: periodName(figures.period, lang, t),
    range: figures.range,
    collected: {
      ...c,
      triedShare: percent(share(c.triedNew, c.answers)),
      likedShare: percent(share(c.liked, c.withFace)),
      step1Share: percent(share(c.answers, c.scans)),
      step2Share: percent(share(c.step2, c.answers)),
    },
    themes:
      figures.themes === null
        ? null
        : figures.themes.rows
            .map((row) => ({
              label: themeLabel(row, lang),
              partner: row.partner,
              region: row.region,
              partnerShare: percent(share(row.partner, figures.themes!.partnerAnswers)),
              regionShare: percent(share(row.region, figures.themes!.regionAnswers)),
            }))
            // Ordered by published counts only: the partner's first, then the region's, then the label.
            .sort((a, b) => b.partner - a.partner || b.region - a.region || a.label.localeCompare(b.label, lang)),
    referrals: figures.referrals,
    hasOffers: figures.hasOffers,
    overTime: figures.overTime.map((row) => ({ name: periodName(row.period, lang, t), answers: row.answers, triedNew: row.triedNew, triedShare: percent(share(row.triedNew, row.answers)) })),
  }
}
export type PartnerView = ReturnType<typeof presentFigures>

export interface PartnerPageOptions {
  secret: () => Promise<string>
  now?: () => Date
}

/**
 * The partner's page in the staff layout: figures for one complete period, the period
 * links, the share links (for those who may make them), and the name form for coordinators.
 * The admin feature's POST renders it again with the form's input and errors.
 */
export async function renderPartnerPage(
  db: Kysely<Database>,
  options: PartnerPageOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  region: Region,
  partner: Partner,
  state: { period?: string; values?: FormFields; errors?: FieldErrors; status?: number; newLink?: string } = {},
) {
  const user = currentUser(request)
  const lang = staffLanguage(request)
  const today = localDay((options.now ?? (() => new Date()))().getTime())
  const period = choosePeriod(state.period, today)
  const t = translator(lang)
  const figures = await partnerFigures(db, { regionId: region.id, partnerId: partner.id, period, today, secret: await options.secret() })
  const base = `/admin/regions/${region.id}/partners/${partner.id}`
  const canEdit = can(user, 'manage', { type: 'partner', regionId: region.id })
  const links = await listActiveShareLinks(db, region.id, partner.id)
  return renderStaffPage(
    request,
    reply,
    'partners/page',
    () => partner.name,
    {
      partner,
      base,
      periods: completePeriods(today).map((p) => ({ id: periodId(p), kind: p.kind, name: periodName(p, lang, t), current: periodId(p) === periodId(period) })),
      currentPeriod: periodId(period),
      view: presentFigures(figures, lang, t),
      canEdit,
      links,
      newLink: state.newLink,
      values: state.values ?? partner,
      errors: state.errors ?? {},
      pageStyle: 'partner',
    },
    { status: state.status ?? 200 },
  )
}
