/**
 * CSV for spreadsheets as Belgian offices use them: UTF-8 with a byte order mark (or
 * Excel guesses the encoding wrong), `;` between fields (the comma is the decimal sign
 * here), decimals with a comma.
 *
 * A cell is either text or a number we computed, and the row says which: guessing from
 * the content is how "-1+1+cmd|' /C calc'!A0" (it starts like a negative number) used to
 * reach a spreadsheet as a formula. Text that a spreadsheet would read as a formula — it
 * starts with = + - @ (also their fullwidth forms ＝ ＋ － ＠, also after spaces) or with
 * a tab or line break — gets an apostrophe in front, as OWASP advises: the cell then
 * shows the text as typed. Numbers are never touched, so they can still be added up.
 */

export interface CsvNumber {
  number: number
  /** Digits after the decimal comma, always written (a share of 45 % is "45,0"). */
  fractionDigits: number
}

export type CsvCell = string | CsvNumber

export function csvNumber(number: number, fractionDigits = 0): CsvNumber {
  return { number, fractionDigits }
}

const formulaStart = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/

export function csvText(value: string, separator: string): string {
  const text = formulaStart.test(value) ? `'${value}` : value
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvDocument(rows: readonly (readonly CsvCell[])[], separator = ';'): string {
  const decimalSign = separator === ';' ? ',' : '.'
  const field = (cell: CsvCell) => (typeof cell === 'string' ? csvText(cell, separator) : cell.number.toFixed(cell.fractionDigits).replace('.', decimalSign))
  return `\uFEFF${rows.map((row) => row.map(field).join(separator)).join('\r\n')}\r\n`
}
