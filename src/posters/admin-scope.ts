import { type CurrentUser, partnerScope, regionScope } from '../auth/permissions.ts'
import type { PosterScope } from './scope.ts'

/**
 * The posters a signed-in person may reach, for `posterRoutes`' `resolveScope`: admins
 * every poster, coordinators their regions' posters, partner members their own
 * organisations' posters in those organisations' regions, bridge figures none.
 */
export function posterScopeOf(user: CurrentUser): PosterScope {
  const regions = regionScope(user)
  const partners = partnerScope(user)
  return {
    ...(regions === 'all' ? {} : { regionIds: regions }),
    ...(partners === 'all' ? {} : { partnerIds: partners }),
  }
}
