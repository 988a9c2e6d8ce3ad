/**
 * Who may do what in follow-up. The signed-in user comes from the accounts feature; this
 * plugin only needs a role and the regions the person works in.
 *
 * Contact details are for the people who follow up: bridge figures and coordinators of
 * the request's region. Admins (all regions) do not browse the queue; they answer data
 * subject requests, which is the one place they see contact details, and it is audited.
 */
export type StaffRole = 'admin' | 'coordinator' | 'bridge' | 'partner'

export interface StaffUser {
  id: number
  role: StaffRole
  /** Coordinators and bridge figures: the regions they work in. */
  regionIds: number[]
}

export function canWorkQueue(user: StaffUser, regionId: number): boolean {
  return (user.role === 'coordinator' || user.role === 'bridge') && user.regionIds.includes(regionId)
}

/** Offers and moderation: the region's coordinators, and admins. */
export function canManageRegion(user: StaffUser, regionId: number): boolean {
  return user.role === 'admin' || (user.role === 'coordinator' && user.regionIds.includes(regionId))
}

export function canHandleSubjectRequests(user: StaffUser): boolean {
  return user.role === 'admin'
}
