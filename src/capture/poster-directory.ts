import type { Kysely } from 'kysely'
import type { Database, ThemeAudience } from '../db/types.ts'
import { listVisibleThemes, themeLabel } from '../themes/index.ts'
import { findPosterForm, type PosterForm } from './queries.ts'
import { compileThemes, type ThemeMatcher } from '../answers/index.ts'

export interface FormTheme {
  id: number
  icon: string
  label: string
}

interface Entry<T> {
  value: T
  expiresAt: number
}

/**
 * Posters and a region's themes change a few times a year but are read on every scan,
 * so the citizen routes read them from memory. An entry lives `ttlMs` (10 s by default):
 * a poster paused by a partner, or a theme renamed, shows on every instance within that
 * time without any cross-instance messaging; the instance that made the change forgets
 * its own entry at once (`forget`). Unknown codes are not kept, so random codes cannot
 * fill the memory; the maps are bounded for the same reason.
 */
export class PosterDirectory {
  private readonly posters = new Map<string, Entry<PosterForm>>()
  private readonly themes = new Map<string, Entry<FormTheme[]>>()
  private readonly matchers = new Map<string, Entry<ThemeMatcher>>()
  /** Rendered pages keyed by the caller (poster code, page, language): built once per TTL. */
  private readonly pages = new Map<string, Entry<unknown>>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 20_000,
  ) {}

  async poster(code: string, now = Date.now()): Promise<PosterForm | undefined> {
    const cached = this.posters.get(code)
    if (cached !== undefined && cached.expiresAt > now) return cached.value
    const poster = await findPosterForm(this.db, code)
    if (poster === undefined) {
      this.posters.delete(code)
      return undefined
    }
    this.store(this.posters, code, poster, now)
    return poster
  }

  /** The themes one list of the region's form offers (the general list unless named: children's posters name theirs). */
  async regionThemes(regionId: number, language: string, audience: ThemeAudience = 'general', now = Date.now()): Promise<FormTheme[]> {
    const key = `${regionId}:${audience}:${language}`
    const cached = this.themes.get(key)
    if (cached !== undefined && cached.expiresAt > now) return cached.value
    const rows = await listVisibleThemes(this.db, regionId, audience)
    const themes = rows.map((row) => ({ id: row.id, icon: row.icon ?? '', label: themeLabel(row, language) }))
    this.store(this.themes, key, themes, now)
    return themes
  }

  /** The keywords of one of the region's theme lists compiled for classifying free text (step 2). */
  async regionMatcher(regionId: number, audience: ThemeAudience = 'general', now = Date.now()): Promise<ThemeMatcher> {
    const key = `${regionId}:${audience}`
    const cached = this.matchers.get(key)
    if (cached !== undefined && cached.expiresAt > now) return cached.value
    const matcher = compileThemes(await listVisibleThemes(this.db, regionId, audience))
    this.store(this.matchers, key, matcher, now)
    return matcher
  }

  /** A page (in whatever form the caller keeps it) built from cached data, kept as long as that data. */
  async page<T>(key: string, build: () => Promise<T>, now = Date.now()): Promise<T> {
    const cached = this.pages.get(key)
    if (cached !== undefined && cached.expiresAt > now) return cached.value as T
    const html = await build()
    this.store(this.pages, key, html, now)
    return html
  }

  /** Drops what this instance knows about a poster (after a pause, retire or edit). */
  forget(code?: string): void {
    if (code === undefined) {
      this.posters.clear()
      this.themes.clear()
      this.matchers.clear()
      this.pages.clear()
      return
    }
    this.posters.delete(code)
    for (const key of this.pages.keys()) if (key.startsWith(`${code}:`)) this.pages.delete(key)
  }

  private store<T>(map: Map<string, Entry<T>>, key: string, value: T, now: number): void {
    if (map.size >= this.maxEntries) map.clear()
    map.set(key, { value, expiresAt: now + this.ttlMs })
  }
}
