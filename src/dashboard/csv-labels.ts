import type { Language, MessageKey } from '../i18n/i18n.ts'
import { translator } from '../i18n/i18n.ts'
import type { CsvCell } from '../http/csv.ts'

/**
 * The words of the dashboard's CSV in the export's language: the header row, the section
 * of each row and the items of the key figures. The rows are built with codes
 * (`section;item;…`, `headline;responses`) and translated here as the last step, so that
 * the code that computes the figures never deals with words. The JSON API keeps the codes:
 * it is read by programs; the CSV is read by people in a spreadsheet.
 */

/** The languages a CSV can be exported in: the management languages, and French for French-speaking partners. */
export const csvLanguages = ['nl', 'fr', 'en'] as const satisfies readonly Language[]
export type CsvLanguage = (typeof csvLanguages)[number]

function isCsvLanguage(value: unknown): value is CsvLanguage {
  return typeof value === 'string' && (csvLanguages as readonly string[]).includes(value)
}

/** `?lang=` when it names a CSV language, else the staff page's language (nl or en), else Dutch. */
export function csvLanguageOf(requested: unknown, staff: Language): CsvLanguage {
  if (isCsvLanguage(requested)) return requested
  return isCsvLanguage(staff) ? staff : 'nl'
}

const csvColumns = ['section', 'item', 'from', 'to', 'count', 'share_percent', 'previous_count'] as const
const csvSections = ['headline', 'week', 'theme', 'emerging', 'partner', 'location', 'activity', 'audience', 'age_band', 'age_band_by_location'] as const
/** The key figures' items (the rows of section `headline`). */
const csvHeadlineItems = ['responses', 'tried_new', 'tried_a_bit', 'step2', 'liked_average'] as const

/** Every catalog key the CSV uses, for the catalog test. */
export const csvMessageKeys: MessageKey[] = [
  ...csvColumns.map((code) => `dashboard.csv.column.${code}` as MessageKey),
  ...csvSections.map((code) => `dashboard.csv.section.${code}` as MessageKey),
  ...csvHeadlineItems.map((code) => `dashboard.csv.item.${code}` as MessageKey),
]

const known = (list: readonly string[], value: CsvCell | undefined): value is string => typeof value === 'string' && list.includes(value)

/**
 * Rows with codes → rows with words. The first row is the header. A section or item that is
 * not a known code stays as it is (a new kind of row shows its code rather than a catalog key).
 */
export function csvInLanguage(rows: readonly (readonly CsvCell[])[], lang: CsvLanguage): CsvCell[][] {
  const t = translator(lang)
  return rows.map((row, index) => {
    if (index === 0) return row.map((cell) => (known(csvColumns, cell) ? t(`dashboard.csv.column.${cell}` as MessageKey) : cell))
    const [section, item, ...rest] = row
    const sectionLabel = known(csvSections, section) ? t(`dashboard.csv.section.${section}` as MessageKey) : section
    const itemLabel = section === 'headline' && known(csvHeadlineItems, item) ? t(`dashboard.csv.item.${item}` as MessageKey) : item
    return [sectionLabel ?? '', itemLabel ?? '', ...rest]
  })
}
