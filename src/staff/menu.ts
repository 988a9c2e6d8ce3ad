import { type CurrentUser, can } from '../auth/permissions.ts'
import type { MessageKey } from '../i18n/i18n.ts'

export interface MenuItem {
  href: string
  label: MessageKey
}

/** The top of the menu: the start page, and what only admins see. */
export function mainMenu(user: CurrentUser): MenuItem[] {
  const items: [string, MessageKey, boolean][] = [
    ['/admin', 'admin.home.title', true],
    ['/admin/regions', 'admin.regions.title', can(user, 'view', { type: 'regions' })],
    // Demand over all of one's regions side by side (src/planning/overview-routes.ts).
    ['/admin/planning/overview', 'admin.overview.nav', can(user, 'view', { type: 'regions-overview' })],
    ['/admin/users', 'admin.admins.title', can(user, 'view', { type: 'admins' })],
    ['/admin/audit', 'admin.audit.title', can(user, 'view', { type: 'audit' })],
    ['/admin/subject-requests', 'admin.nav.subject_requests', can(user, 'manage', { type: 'subject-requests' })],
    // Everyone's own page (their digest subscriptions): nothing there but their own choices.
    ['/admin/profile', 'admin.nav.profile', true],
  ]
  return items.filter(([, , shown]) => shown).map(([href, label]) => ({ href, label }))
}

/**
 * The menu of a region: only the pages this person may open, asked of `can()` with the
 * same resource as the page itself asks. The dashboard and its share links live under
 * /admin/dashboard; they are linked here so that every page of a region can be found.
 */
export function regionMenu(user: CurrentUser, regionId: number): MenuItem[] {
  const base = `/admin/regions/${regionId}`
  const dashboard = `/admin/dashboard/${regionId}`
  const items: [string, MessageKey, boolean][] = [
    [base, 'admin.nav.overview', true],
    [dashboard, 'admin.nav.dashboard', can(user, 'view', { type: 'dashboard', regionId })],
    [base + '/digest', 'digest.nav', can(user, 'view', { type: 'digest', regionId })],
    [base + '/planning', 'admin.nav.planning', can(user, 'view', { type: 'planning', regionId })],
    // Panel members who are not coordinators reach the proposals from the planning page (the menu cannot know the panel).
    [base + '/planning/proposals', 'admin.nav.proposals', can(user, 'view', { type: 'proposal', regionId, onPanel: false })],
    [base + '/planning/criteria', 'admin.nav.criteria', can(user, 'manage', { type: 'criteria', regionId })],
    [base + '/imports', 'imports.nav', can(user, 'manage', { type: 'import', regionId })],
    [base + '/activities', 'admin.activities.title', can(user, 'view', { type: 'activity', regionId })],
    [base + '/posters', 'admin.posters.title', can(user, 'view', { type: 'poster', regionId })],
    [base + '/locations', 'admin.locations.title', can(user, 'manage', { type: 'location', regionId })],
    [base + '/location-requests', 'admin.nav.location_requests', can(user, 'view', { type: 'location-request', regionId })],
    [base + '/partners', 'admin.partners.title', can(user, 'view', { type: 'partner', regionId })],
    // A partner member of one organisation: its own page (the route checks that the partner is of this region).
    ...user.partnerIds
      .filter((partnerId) => user.role === 'partner' && can(user, 'view', { type: 'partner-page', regionId, partnerId }) && user.partnerIds.length === 1)
      .map((partnerId): [string, MessageKey, boolean] => [`${base}/partners/${partnerId}`, 'admin.nav.partner_page', true]),
    // …and its monthly digest.
    ...user.partnerIds
      .filter((partnerId) => user.role === 'partner' && can(user, 'view', { type: 'digest', regionId, partnerId }) && user.partnerIds.length === 1)
      .map((partnerId): [string, MessageKey, boolean] => [`${base}/partners/${partnerId}/digest`, 'digest.nav.partner', true]),
    [base + '/themes', 'admin.themes.title', can(user, 'view', { type: 'theme', regionId })],
    [base + '/texts', 'admin.nav.texts', can(user, 'manage', { type: 'free-text', regionId })],
    [base + '/moderation', 'admin.nav.moderation', can(user, 'manage', { type: 'moderation', regionId })],
    [base + '/followup', 'admin.nav.followup', can(user, 'view', { type: 'followup', regionId })],
    [base + '/assisted', 'admin.nav.assisted', can(user, 'manage', { type: 'assisted', regionId })],
    [base + '/offers', 'admin.nav.offers', can(user, 'view', { type: 'offer', regionId })],
    [base + '/updates', 'admin.nav.updates', can(user, 'manage', { type: 'update', regionId })],
    [dashboard + '/share', 'admin.nav.share', can(user, 'manage', { type: 'share-link', regionId })],
    [base + '/api-tokens', 'api.tokens.title', can(user, 'manage', { type: 'api-token', regionId })],
    [base + '/users', 'admin.users.title', can(user, 'view', { type: 'user', regionId })],
    [base + '/audit', 'admin.audit.title', can(user, 'view', { type: 'audit', regionId })],
  ]
  return items.filter(([, , shown]) => shown).map(([href, label]) => ({ href, label }))
}

export interface RegionLink {
  href: string
  name: string
  current: boolean
}

/** The region menu's item for this address: the longest href that is the path or a folder above it. */
function pageKind(items: MenuItem[], path: string): MenuItem | undefined {
  return items.filter((item) => path === item.href || path.startsWith(item.href + '/')).sort((x, y) => y.href.length - x.href.length)[0]
}

/**
 * The region switcher of a person who works in several regions: for each region, the same
 * kind of page (the region menu item this address belongs to, e.g. the follow-up queue from
 * a request in it) when this person may open it there, else that region's overview. One
 * request's page has no counterpart elsewhere, so it leads to the other region's list.
 */
export function regionSwitcher(user: CurrentUser, currentRegionId: number, path: string, regions: readonly { id: number; name: string }[]): RegionLink[] {
  const kind = pageKind(regionMenu(user, currentRegionId), path)
  return regions.map((region) => {
    const items = regionMenu(user, region.id)
    const same = kind && items.find((item) => item.label === kind.label)
    return { href: (same ?? items[0]!).href, name: region.name, current: region.id === currentRegionId }
  })
}
