import type { ExpressionBuilder, Kysely } from 'kysely'
import { z } from 'zod'
import { addDays, localDay, maskContacts, newRecordKey } from '../answers/index.ts'
import type { ContactOutcome, Database, PathStepKind } from '../db/types.ts'
import { municipalityOfPlace } from '../municipalities/index.ts'

/**
 * Learning paths (issue 19): a contact request is a path of steps rather than one referral
 * after which it is closed. A bridge figure records what happened (a conversation, a
 * referral to an offer, a trial session, started, completed, stopped), on which day, with
 * an optional note, and agrees a next contact; the path closes only when a step ends it
 * (completed or stopped) or the bridge figure closes it with an outcome, and a closed path
 * is reopened rather than made again.
 *
 * Notes are personal data about a person, written by staff: they are read only on the
 * request page (each view audited by the route), go into the data subject export, and are
 * set to null with the contact details (`eraseNotesOfErasedRequests`).
 */

export const stepKinds = ['conversation', 'referral', 'trial', 'started', 'completed', 'stopped'] as const satisfies readonly PathStepKind[]
/** Steps after which the path is over: the request closes with them. */
const endingKinds: readonly PathStepKind[] = ['completed', 'stopped']
/** A note's longest length, in characters (the column is varchar(2000)). */
export const noteMaxLength = 2000
/** A referral without a date agreed: "did they start?" is asked this many days later. */
export const startCheckDays = 14

/** The same calendar day a year later (29 February → 28 February). */
export function aYearAfter(day: string): string {
  const year = Number(day.slice(0, 4)) + 1
  const candidate = `${year}${day.slice(4)}`
  return addDays(addDays(candidate, 1), -1) === candidate ? candidate : `${year}${day.slice(4, 8)}28`
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'admin.path.date.invalid').refine((value) => {
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}, 'admin.path.date.invalid')

const optionalDay = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : null))
  .pipe(day.nullable())

/**
 * The next-contact date: today (Brussels) up to a year ahead. A date in the past would put
 * the path on the overdue list the moment it is saved; one further than a year is a typo
 * (2207) more often than a plan.
 */
export function nextContactSchema(today: string) {
  return optionalDay
    .refine((value) => value === null || value >= today, 'admin.path.next.past')
    .refine((value) => value === null || value <= aYearAfter(today), 'admin.path.next.far')
}

/** The step form. `today` is the Brussels day; `createdDay` the day the request was made. */
export function stepForm(today: string, createdDay: string) {
  return z
    .object({
      kind: z.enum(stepKinds, { message: 'admin.path.kind.choose' }),
      on_day: optionalDay
        .transform((value) => value ?? today)
        .refine((value) => value <= today, 'admin.path.date.future')
        .refine((value) => value >= createdDay, 'admin.path.date.before'),
      step_offer: z
        .union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/, 'admin.path.offer.unknown')])
        .optional()
        .transform((value) => (value ? Number(value) : null)),
      note: z
        .string()
        .max(noteMaxLength, 'admin.path.note.too_long')
        .optional()
        .transform((value) => (value?.trim() ? value.trim() : null)),
      step_next: nextContactSchema(today),
    })
    .superRefine((value, ctx) => {
      if (value.kind === 'referral' && value.step_offer === null) ctx.addIssue({ code: 'custom', path: ['step_offer'], message: 'admin.path.offer.required' })
      if (endingKinds.includes(value.kind) && value.step_next !== null) ctx.addIssue({ code: 'custom', path: ['step_next'], message: 'admin.path.next.ended' })
    })
}
export type StepInput = z.output<ReturnType<typeof stepForm>>

export interface PathStep {
  id: number
  kind: PathStepKind
  onDay: string
  offerId: number | null
  offerTitle: string | null
  note: string | null
  recordedBy: string
  recordedAt: string
}

/** The steps of one request, oldest first, with the offer and who recorded each. */
export async function pathSteps(db: Kysely<Database>, requestId: number): Promise<PathStep[]> {
  const rows = await db
    .selectFrom('path_steps')
    .leftJoin('offers', 'offers.id', 'path_steps.offer_id')
    .leftJoin('users', 'users.id', 'path_steps.recorded_by')
    .select([
      'path_steps.id',
      'path_steps.kind',
      'path_steps.on_day',
      'path_steps.offer_id',
      'offers.title as offer_title',
      'path_steps.note',
      'users.name as user_name',
      'users.email as user_email',
      'path_steps.recorded_at',
    ])
    .where('path_steps.contact_request_id', '=', requestId)
    .orderBy('path_steps.on_day')
    .orderBy('path_steps.id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    onDay: row.on_day,
    offerId: row.offer_id,
    offerTitle: row.offer_title ?? null,
    note: row.note,
    recordedBy: row.user_name || row.user_email || '',
    recordedAt: row.recorded_at,
  }))
}

/** The questions the person added through their own link, oldest first; the text masked as every staff view of free text is. */
export async function pathQuestions(db: Kysely<Database>, requestId: number): Promise<{ onDay: string; text: string; language: string }[]> {
  const rows = await db.selectFrom('path_questions').select(['asked_on', 'text', 'language']).where('contact_request_id', '=', requestId).orderBy('id').execute()
  return rows.map((row) => ({ onDay: row.asked_on, text: maskContacts(row.text), language: row.language }))
}

/**
 * "Did they start?": the referral that is waiting for an answer, when the latest step of an
 * open path is a referral. It is asked on the request page and, once the next-contact date
 * is reached, on the bridge figure's start page.
 */
export function pendingStartCheck(steps: readonly PathStep[]): PathStep | undefined {
  const last = steps.at(-1)
  return last?.kind === 'referral' ? last : undefined
}

export type StepResult = 'ok' | 'closed' | 'offer' | 'missing'

/**
 * Records a step, in one transaction with what it changes on the request: a step on a new
 * request claims it for whoever recorded it; a completed or stopped step ends the path
 * (closed, with the last referral as its outcome); any other step sets the next contact,
 * and a referral without a date gets one `startCheckDays` ahead, so that "did they start?"
 * is asked. 'offer' means the offer is not a current offer of this region.
 */
export async function addStep(db: Kysely<Database>, regionId: number, requestId: number, userId: number, input: StepInput, now = new Date()): Promise<StepResult> {
  return db.transaction().execute(async (trx) => {
    const request = await trx.selectFrom('contact_requests').select(['id', 'status']).where('region_id', '=', regionId).where('id', '=', requestId).executeTakeFirst()
    if (request === undefined) return 'missing'
    if (request.status === 'closed') return 'closed'
    if (input.step_offer !== null) {
      const offer = await trx
        .selectFrom('offers')
        .select('id')
        .where('id', '=', input.step_offer)
        .where('region_id', '=', regionId)
        .where('archived', '=', 0)
        .executeTakeFirst()
      if (offer === undefined) return 'offer'
    }
    const at = now.toISOString()
    await trx
      .insertInto('path_steps')
      .values({
        contact_request_id: requestId,
        kind: input.kind,
        on_day: input.on_day,
        offer_id: input.step_offer,
        note: input.note,
        recorded_by: userId,
        recorded_at: at,
        record_key: newRecordKey(),
      })
      .execute()
    if (endingKinds.includes(input.kind)) {
      const referral = await trx
        .selectFrom('path_steps')
        .select('offer_id')
        .where('contact_request_id', '=', requestId)
        .where('kind', '=', 'referral')
        .orderBy('id', 'desc')
        .executeTakeFirst()
      const outcome: ContactOutcome = referral ? 'referred' : input.kind === 'stopped' ? 'not_needed' : 'other'
      await trx
        .updateTable('contact_requests')
        .set((eb) => ({
          status: 'closed',
          outcome,
          outcome_offer_id: referral?.offer_id ?? null,
          closed_at: at,
          next_contact_on: null,
          claimed_by: eb.fn.coalesce('claimed_by', eb.val(userId)),
          claimed_at: eb.fn.coalesce('claimed_at', eb.val(at)),
        }))
        .where('id', '=', requestId)
        .execute()
    } else {
      const next = input.step_next ?? (input.kind === 'referral' ? addDays(localDay(now.getTime()), startCheckDays) : null)
      await trx
        .updateTable('contact_requests')
        .set((eb) => ({
          status: 'claimed',
          next_contact_on: next,
          claimed_by: eb.fn.coalesce('claimed_by', eb.val(userId)),
          claimed_at: eb.fn.coalesce('claimed_at', eb.val(at)),
        }))
        .where('id', '=', requestId)
        .execute()
    }
    return 'ok'
  })
}

/** Sets or clears the next contact of an open path; false when the path is closed or not in the region. */
export async function setNextContact(db: Kysely<Database>, regionId: number, requestId: number, day: string | null): Promise<boolean> {
  const result = await db
    .updateTable('contact_requests')
    .set({ next_contact_on: day })
    .where('region_id', '=', regionId)
    .where('id', '=', requestId)
    .where('status', '!=', 'closed')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Reopens a closed path for the bridge figure who reopens it: the same request, its steps
 * and notes, not a new one. A path whose contact details are erased cannot be reopened:
 * there is nobody left to contact, and the request must not start to hold data again.
 */
export async function reopenPath(db: Kysely<Database>, regionId: number, requestId: number, userId: number, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('contact_requests')
    .set({ status: 'claimed', claimed_by: userId, claimed_at: now.toISOString(), outcome: null, outcome_offer_id: null, closed_at: null })
    .where('region_id', '=', regionId)
    .where('id', '=', requestId)
    .where('status', '=', 'closed')
    .where('erased_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Sets to null the notes of every request whose contact details are erased, whatever erased
 * them (retention, a withdrawal link, a data subject request), and deletes the questions the
 * person added through their link (migration 049). Keyed on `erased_at` rather than on the
 * ids a caller erased, so that a note missed by one run — a crash between two statements —
 * is caught by the next. Returns how many notes and questions were erased.
 */
export async function eraseNotesOfErasedRequests(db: Kysely<Database>): Promise<number> {
  const erased = (eb: ExpressionBuilder<Database, 'path_steps' | 'path_questions'>) => eb.selectFrom('contact_requests').select('id').where('erased_at', 'is not', null)
  const notes = await db.updateTable('path_steps').set({ note: null }).where('note', 'is not', null).where('contact_request_id', 'in', erased).executeTakeFirst()
  const questions = await db.deleteFrom('path_questions').where('contact_request_id', 'in', erased).executeTakeFirst()
  return Number(notes.numUpdatedRows) + Number(questions.numDeletedRows)
}

export interface MatchingOffer {
  id: number
  title: string
  provider: string
  place: string | null
  schedule: string | null
  /** Themes of the answer the offer shares. */
  sharedThemes: number
  /** Given in the person's preferred language (or no language listed). */
  language: boolean
  /** The offer's place names the municipality where the person answered. */
  municipality: boolean
}

/**
 * Current offers of the region that share a theme with the person's answer, best first:
 * more shared themes, then in their language, then in their municipality. An offer in
 * another language is still listed (a bridge figure may know it works), after the others.
 */
export async function matchingOffers(db: Kysely<Database>, regionId: number, responseId: number, preferredLanguage: string, limit = 5): Promise<MatchingOffer[]> {
  const answer = await db
    .selectFrom('responses')
    .innerJoin('locations', 'locations.id', 'responses.location_id')
    .select(['locations.municipality', 'locations.municipality_nis'])
    .where('responses.id', '=', responseId)
    .executeTakeFirst()
  const rows = await db
    .selectFrom('offers')
    .innerJoin('offer_themes', 'offer_themes.offer_id', 'offers.id')
    .innerJoin('response_themes', 'response_themes.theme_id', 'offer_themes.theme_id')
    .select((eb) => ['offers.id', 'offers.title', 'offers.provider', 'offers.place', 'offers.schedule', 'offers.languages', 'offers.audience', eb.fn.countAll().as('shared')])
    .where('offers.region_id', '=', regionId)
    .where('offers.archived', '=', 0)
    .where('offers.audience', '!=', 'children')
    .where('response_themes.response_id', '=', responseId)
    .groupBy(['offers.id', 'offers.title', 'offers.provider', 'offers.place', 'offers.schedule', 'offers.languages', 'offers.audience'])
    .execute()
  // Where the person answered, as a code of the list (a merged municipality's old names and
  // postal codes are one municipality); a location not matched to the list falls back to its
  // typed name found in the offer's place.
  const code = answer?.municipality_nis ?? null
  const typed = answer?.municipality?.trim().toLocaleLowerCase('nl')
  const inMunicipality = (place: string | null) =>
    code !== null ? municipalityOfPlace(place) === code : Boolean(typed) && (place ?? '').toLocaleLowerCase('nl').includes(typed!)
  return rows
    .map((row) => {
      const languages = row.languages.split(',').filter(Boolean)
      return {
        id: row.id,
        title: row.title,
        provider: row.provider,
        place: row.place,
        schedule: row.schedule,
        sharedThemes: Number(row.shared),
        language: languages.length === 0 || languages.includes(preferredLanguage),
        municipality: inMunicipality(row.place),
      }
    })
    .sort((a, b) => b.sharedThemes - a.sharedThemes || Number(b.language) - Number(a.language) || Number(b.municipality) - Number(a.municipality) || a.title.localeCompare(b.title, 'nl') || a.id - b.id)
    .slice(0, limit)
}
