import { z } from 'zod'
import type { MessageKey } from '../i18n/i18n.ts'
import type { ThemeAudience } from '../db/types.ts'
import { findMunicipality } from '../municipalities/index.ts'

/** The contract of the management forms; messages are catalog keys, shown next to the field. */

const message = (key: MessageKey) => ({ message: key })
const required = (max: number) =>
  z.string(message('admin.error.required')).trim().min(1, message('admin.error.required')).max(max, message('admin.error.too_long'))
const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max, message('admin.error.too_long'))
    .optional()
    .transform((value) => (value ? value : null))
const oneOrMany = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
const ids = oneOrMany.pipe(z.array(z.string().regex(/^\d{1,9}$/, message('admin.error.invalid')).transform(Number)))
const checkbox = z
  .string()
  .optional()
  .transform((value) => value === 'on' || value === '1')

const languagesOffered = ['nl', 'fr', 'en'] as const
export const audiences = ['all', 'children', 'youth', 'adults', 'seniors'] as const
const partnerKinds = ['library', 'adult_education', 'youth_work', 'community_centre', 'employer', 'municipality', 'other'] as const
const posterStatuses = ['active', 'paused', 'retired'] as const

export const regionBody = z.object({
  slug: z.string(message('admin.error.required')).trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,59}$/, message('admin.region.slug.invalid')),
  name: required(200),
  default_language: z.enum(languagesOffered, message('admin.error.invalid')),
  contact_line: optional(500),
})
export const regionUpdateBody = regionBody.omit({ slug: true })

export const partnerBody = z.object({
  name: required(200),
  kind: z.enum(partnerKinds, message('admin.error.invalid')),
})

const coordinate = (min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? Number(value.replace(',', '.')) : null))
    .refine((value) => value === null || (Number.isFinite(value) && value >= min && value <= max), message('admin.location.coordinate.invalid'))

/** A municipality code from the shipped list; empty: none chosen. An unknown code is refused, never stored. */
const municipalityCode = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || findMunicipality(value) !== undefined, message('admin.municipality.unknown'))

export const locationBody = z.object({
  name: required(200),
  address: optional(300),
  /** What was typed before the list (kept when no code is chosen); with a code, the list's name replaces it. */
  municipality: optional(120),
  municipality_nis: municipalityCode,
  latitude: coordinate(-90, 90),
  longitude: coordinate(-180, 180),
})

/** The picker on the list of unmatched locations: one code, required. */
export const municipalityBody = z.object({
  municipality_nis: z.string(message('admin.municipality.required')).trim().min(1, message('admin.municipality.required')).refine((value) => findMunicipality(value) !== undefined, message('admin.municipality.unknown')),
})

/** A partner member's request for a missing location; partner_id only when they belong to several partners. */
export const locationRequestBody = z.object({
  name: required(200),
  address: optional(300),
  municipality: optional(120),
  note: optional(500),
  partner_id: z
    .string()
    .optional()
    .transform((value) => (value && /^\d{1,9}$/.test(value) ? Number(value) : undefined)),
})

/** The coordinator's reason for declining a location request: the partner reads it. */
export const locationDeclineBody = z.object({ answer: required(300) })

const day = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))), message('admin.activity.date.invalid'))

export const activityBody = z
  .object({
    title: required(200),
    description: optional(2000),
    audience: z.enum(audiences, message('admin.error.invalid')),
    starts_on: day,
    ends_on: day,
    partner_id: z.string().regex(/^\d{1,9}$/, message('admin.error.required')).transform(Number).optional(),
    themes: ids,
  })
  .refine((body) => !body.starts_on || !body.ends_on || body.ends_on >= body.starts_on, { message: 'admin.activity.dates.order', path: ['ends_on'] })

export const postersBody = z.object({
  locations: ids.refine((list) => list.length > 0, message('admin.posters.locations.required')),
})

export const posterStatusBody = z.object({ status: z.enum(posterStatuses, message('admin.error.invalid')) })

const keywordList = z
  .string()
  .max(2000, message('admin.error.too_long'))
  .optional()
  .transform((value) => [...new Set((value ?? '').split(/[,\n]/).map((word) => word.trim().toLowerCase()).filter(Boolean))])

export const themeAudiences = ['general', 'children'] as const satisfies readonly ThemeAudience[]

export const themeBody = z.object({
  /** Which list the theme is on (themes/queries.ts); absent on an edit leaves it as it was. */
  audience: z.enum(themeAudiences, message('admin.error.invalid')).optional(),
  label_nl: required(80),
  label_fr: optional(80),
  label_en: optional(80),
  keywords_nl: keywordList,
  keywords_fr: keywordList,
  keywords_en: keywordList,
  icon: optional(16),
  position: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? Number(value) : 0))
    .refine((value) => Number.isInteger(value) && value >= 0 && value <= 9999, message('admin.theme.position.invalid')),
  hidden: checkbox,
})

export const inviteBody = z.object({
  email: z.string(message('admin.error.required')).trim().toLowerCase().pipe(z.email(message('admin.invite.email.invalid')).max(254, message('admin.error.too_long'))),
  role: z.enum(['admin', 'coordinator', 'partner', 'bridge'], message('admin.error.invalid')),
  partner_id: z
    .string()
    .optional()
    .transform((value) => (value && /^\d{1,9}$/.test(value) ? Number(value) : null)),
})

/** "Naaien & breien!" → "naaien-breien": a theme's stable name, made from its Dutch label. */
export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'thema'
  )
}
