import type { Kysely } from 'kysely'
import type { ContactStatus, Database, PathStepKind } from '../db/types.ts'
import { themeLabel } from '../themes/index.ts'

/**
 * What the person who asked for help sees through their private link (the withdrawal
 * link of the thank-you page): what they asked, where their question stands, the next
 * contact agreed, and the steps with the offers they were referred to. Never the bridge
 * figures' notes, nor who recorded a step: those are about the person, written for the
 * follow-up, and a link can be forwarded.
 */
export interface OwnPath {
  status: ContactStatus
  themes: string[]
  text: string | null
  nextContactOn: string | null
  steps: OwnStep[]
}

export interface OwnStep {
  kind: PathStepKind
  onDay: string
  offer: { title: string; place: string | null; schedule: string | null; link: string | null } | null
}

/** The path behind a live link (contact details not erased), or undefined. */
export async function ownPath(db: Kysely<Database>, tokenHash: string, language: string): Promise<OwnPath | undefined> {
  const request = await db
    .selectFrom('contact_requests')
    .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
    .select(['contact_requests.id', 'contact_requests.response_id', 'contact_requests.status', 'contact_requests.next_contact_on', 'responses.free_text'])
    .where('contact_requests.withdrawal_token_hash', '=', tokenHash)
    .where('contact_requests.erased_at', 'is', null)
    .executeTakeFirst()
  if (!request) return undefined
  const [themes, steps] = await Promise.all([
    db
      .selectFrom('response_themes')
      .innerJoin('themes', 'themes.id', 'response_themes.theme_id')
      .select(['themes.labels'])
      .where('response_themes.response_id', '=', request.response_id)
      .orderBy('themes.position')
      .orderBy('themes.id')
      .execute(),
    db
      .selectFrom('path_steps')
      .leftJoin('offers', 'offers.id', 'path_steps.offer_id')
      .select(['path_steps.kind', 'path_steps.on_day', 'offers.title', 'offers.place', 'offers.schedule', 'offers.link'])
      .where('path_steps.contact_request_id', '=', request.id)
      .orderBy('path_steps.on_day')
      .orderBy('path_steps.id')
      .execute(),
  ])
  return {
    status: request.status,
    themes: themes.map((theme) => themeLabel(theme, language)).filter((label) => label !== ''),
    text: request.free_text,
    // A next contact is only shown while the path is open: a closed path has none to keep.
    nextContactOn: request.status === 'closed' ? null : request.next_contact_on,
    steps: steps.map((step) => ({
      kind: step.kind,
      onDay: step.on_day,
      offer: step.title ? { title: step.title, place: step.place ?? null, schedule: step.schedule ?? null, link: step.link ?? null } : null,
    })),
  }
}
