import { municipalities } from '../municipalities/index.ts'

/** The picker's options, made once: every municipality of the list by its Dutch name, the French one beside it where it differs, and "none" first. */
export const municipalityOptions: readonly { value: string; label: string }[] = [
  { value: '', label: '–' },
  ...municipalities.map((m) => ({ value: m.nis, label: m.nameFr ? `${m.name} (${m.nameFr})` : m.name })),
]
