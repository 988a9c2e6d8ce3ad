import { z } from 'zod'
import type { MessageKey } from '../i18n/i18n.ts'

/**
 * How staff routes validate, in one place:
 *
 * - params: `z.object({ partnerId: idSchema })`. A malformed id fails validation, and the
 *   staff error handler answers it with the 404 page, the same page as an unknown id
 *   (never a 400 that would tell ids apart).
 * - querystring: `pageQuery` (or an extension of it); a failure is the 400 page naming the field.
 * - body: every HTML form has `formBody` as its route-level schema: any fields, strings or
 *   lists of strings. The form's own schema (admin/schemas.ts) is applied in the handler
 *   with `safeParse`, and a failure re-renders the form with the person's input and
 *   `fieldErrors(...)` next to the fields (422). A strict route-level body schema would send
 *   a mistyped form to the error handler, which cannot re-render the form.
 */

/** A positive database id in a URL (SQL integer range). */
export const idSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/)
  .transform(Number)
  .refine((id) => id <= 2 ** 31 - 1)

/**
 * What a staff page may confirm after a form sent the person there (`?done=activity.created`):
 * the message `admin.done.<key>`, shown once on the page they land on (role="status").
 *
 * A query parameter rather than a signed flash cookie: it needs no cookie, no server state
 * and no signing key shared by the instances, and it works without JavaScript. It carries
 * no personal data — only a key from this list, never a name or an address — so the
 * address may be logged and kept in the history. The price: reloading the page shows the
 * message again, which for "created" is true anyway. An unknown key is ignored (the page
 * the person wanted still opens, without a message), never echoed.
 */
export const doneKeys = [
  'activity.created',
  'posters.created',
  'location.created',
  'partner.created',
  'user.disabled',
  'user.enabled',
  'password.changed',
  'location_request.sent',
  'location_request.accepted',
  'location.municipality_set',
  'location_request.declined',
  'path.step',
  'path.next_contact',
  'path.reopened',
  'partner.share_revoked',
  'profile.saved',
  'assisted.saved',
] as const
export type DoneKey = (typeof doneKeys)[number]

/** `?done=` as a route schema reads it: one of `doneKeys`, or nothing. */
export const doneQuery = z.enum(doneKeys).optional().catch(undefined)

/** The query every staff page accepts: `?lang=` (nl or en; anything else falls back to Dutch) and `?done=`. */
export const pageQuery = z.object({ lang: z.string().max(16).optional(), done: doneQuery })

/** The address a form sends the person to afterwards, with its confirmation. */
export function withDone(path: string, done: DoneKey): string {
  return `${path}?done=${done}`
}

/** The route-level schema of every staff form body: see above. */
export const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({})
export type FormFields = z.output<typeof formBody>

export type FieldErrors = Record<string, MessageKey>

/** Zod issues → one catalog message per field (the first issue wins). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_')
    errors[field] ??= (issue.message.startsWith('admin.') ? issue.message : 'admin.error.invalid') as MessageKey
  }
  return errors
}

