/**
 * The answers' write model: what happens when an answer is stored, amended or corrected,
 * and the rules every view of the answers shares (the Belgian calendar day, masking of
 * free text, the theme classifier). Features call these; nothing here imports a feature.
 * Functions take the database (or a transaction) first.
 */
export { brusselsDay, localDay } from './calendar.ts'
export {
  addDays,
  dayNumber,
  dayStartUtc,
  namedPeriod,
  periodPieces,
  today,
  type Period,
  type PeriodName,
  type PeriodPiece,
  type PeriodSplit,
} from './period.ts'
export { ageBands, childAgeBands, childBandRollup, formAgeBands, isChildAgeBand } from './age-bands.ts'
export { cellKey, newRecordKey, publish } from './cell-key.ts'
export { disclosureTerms } from './disclosure-terms.ts'
export { emergingThemes } from './emerging.ts'
export { maskContacts } from './masking.ts'
export { maxFreeTextBytes, maxFreeTextCodePoints, maxFreeTextGraphemes, ownWords } from './free-text.ts'
export { classify, compileThemes, fold, storeTextThemes, tokenize, type ThemeMatch, type ThemeMatcher, type Token } from './classify.ts'
export { amendResponseIn, eraseFreeTexts, insertWholeAnswer, type Amendment, type NewAnswer } from './responses.ts'
export { ResponseWriter } from './response-writer.ts'
export {
  applyStepOne,
  applyStepOneBatch,
  applyStepTwo,
  countersOf,
  ensureRollups,
  faceNames,
  keySumNames,
  measureNames,
  readRollupState,
  rebuildRollups,
  RollupAccumulator,
  rollupTables,
  type RollupState,
  type RollupTable,
} from './rollups.ts'
export { default as answersPlugin, type AnswersPluginOptions } from './plugin.ts'
