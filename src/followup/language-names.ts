import { languages } from '../i18n/i18n.ts'

/** Each citizen language by its own name (العربية, not "Arabic"): how the queue and the offer form list them. */
export function languageNames(): Record<string, string> {
  return Object.fromEntries(Object.entries(languages).map(([code, language]) => [code, language.name]))
}
