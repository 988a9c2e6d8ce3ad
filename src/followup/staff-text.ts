import type { FastifyRequest } from 'fastify'
import { translator, type MessageKey } from '../i18n/i18n.ts'
import { requestLanguage } from '../http/views.ts'
import nl from '../i18n/messages/followup.nl.json' with { type: 'json' }
import en from '../i18n/messages/followup.en.json' with { type: 'json' }

/**
 * The staff pages' strings (queue, offers, moderation, subject requests), in Dutch and
 * English. They are kept in their own catalogs so that the citizen catalogs (nine
 * languages, every key required) do not grow with management wording; a key not found
 * here falls back to the citizen catalog (moments, language names).
 */
export type StaffKey = keyof typeof nl
export type StaffLanguage = 'nl' | 'en'
const catalogs: Record<StaffLanguage, Record<StaffKey, string>> = { nl, en }

export type StaffTranslate = (key: StaffKey | MessageKey, values?: Record<string, string | number>) => string

export function staffLanguage(request: FastifyRequest): StaffLanguage {
  return requestLanguage(request) === 'en' ? 'en' : 'nl'
}

export function staffTranslator(language: StaffLanguage): StaffTranslate {
  const citizen = translator(language)
  return (key, values) => {
    const template = (catalogs[language] as Record<string, string>)[key] ?? (nl as Record<string, string>)[key]
    if (template === undefined) return citizen(key as MessageKey, values)
    if (values === undefined) return template
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match))
  }
}
