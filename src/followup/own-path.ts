import type { Kysely } from 'kysely'
import { localDay } from '../answers/index.ts'
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
  /** The questions the person added later through this link, oldest first. */
  questions: { onDay: string; text: string }[]
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
  const [themes, steps, questions] = await Promise.all([
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
    db.selectFrom('path_questions').select(['asked_on', 'text']).where('contact_request_id', '=', request.id).orderBy('id').execute(),
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
    questions: questions.map((question) => ({ onDay: question.asked_on, text: question.text })),
  }
}

/**
 * How many questions one link may add in a Brussels day. A person with a new question asks
 * one or two; a link that is forwarded or leaked must not fill a bridge figure's list.
 */
export const questionsPerDay = 5

export type AddQuestionResult = 'ok' | 'missing' | 'limit'

/**
 * Adds a question to the path behind a live link, in one transaction with what it changes:
 * the path comes due today (the bridge figure meets it on the due list) and a closed path
 * is open again — with its bridge figure, if it had one, else back in the queue — since the
 * person is asking for help again; its steps and notes stay. Reopening here is the one
 * exception to "a bridge figure reopens a path": the person is the one who comes back.
 */
export async function addOwnQuestion(db: Kysely<Database>, tokenHash: string, text: string, language: string, now = new Date()): Promise<AddQuestionResult> {
  return db.transaction().execute(async (trx) => {
    const request = await trx
      .selectFrom('contact_requests')
      .select(['id', 'status', 'claimed_by', 'next_contact_on'])
      .where('withdrawal_token_hash', '=', tokenHash)
      .where('erased_at', 'is', null)
      .executeTakeFirst()
    if (request === undefined) return 'missing'
    const today = localDay(now.getTime())
    const asked = await trx
      .selectFrom('path_questions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('contact_request_id', '=', request.id)
      .where('asked_on', '=', today)
      .executeTakeFirstOrThrow()
    if (Number(asked.n) >= questionsPerDay) return 'limit'
    await trx.insertInto('path_questions').values({ contact_request_id: request.id, text, language, asked_on: today, asked_at: now.toISOString() }).execute()
    const due = request.next_contact_on !== null && request.next_contact_on <= today ? request.next_contact_on : today
    await trx
      .updateTable('contact_requests')
      .set(
        request.status === 'closed'
          ? { status: request.claimed_by === null ? 'new' : 'claimed', outcome: null, outcome_offer_id: null, closed_at: null, next_contact_on: today }
          : { next_contact_on: due },
      )
      .where('id', '=', request.id)
      .execute()
    return 'ok'
  })
}
