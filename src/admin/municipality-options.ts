import { municipalities } from '../municipalities/index.ts'

/** The picker's options: every municipality of the list by its Dutch name, the French one beside it where it differs, and "none" first. */
export function municipalityOptions(noneLabel = '–'): { value: string; label: string }[] {
  return [{ value: '', label: noneLabel }, ...municipalities.map((m) => ({ value: m.nis, label: m.nameFr ? `${m.name} (${m.nameFr})` : m.name }))]
}
