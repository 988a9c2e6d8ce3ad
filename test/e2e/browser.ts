import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import axe from 'axe-core'

/** Debian's Chromium, started the way this machine needs (no background networking). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[]; html: string }[]
}

/** Runs axe-core in the page with the WCAG 2.x A and AA rules (2.2 included). */
export async function axeViolations(page: Page, disabledRules: string[] = []): Promise<AxeViolation[]> {
  await page.evaluate(axe.source)
  return page.evaluate(async (disabled) => {
    const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]))
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules,
    })
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target as unknown[], html: n.html })) }))
  }, disabledRules)
}

export const artifacts = join(import.meta.dirname, '..', 'artifacts')

/**
 * A full-page PNG at test/artifacts/<name>.png; a name may hold folders (`walks/admin-audit-390`).
 * CI's short configuration (TEST_PROFILE=short) takes none: nobody looks at a clean clone's
 * artifacts, and encoding some 300 full pages as PNG was CPU time every CI run paid for. The
 * page is still rendered and checked; a plain `npm test` (or `npm run screenshots`) writes them.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(artifacts, `${name}.png`)
  if (process.env.TEST_PROFILE === 'short') return path
  mkdirSync(dirname(path), { recursive: true })
  await page.screenshot({ path, fullPage: true })
  return path
}

/**
 * The size at which each visible chart label is drawn, in points: its font size times the
 * scale of its SVG (a viewBox squeezed into a column shrinks its text). In the page, as a
 * string: this file has no DOM types. 1 CSS px = 0.75 pt.
 */
export const chartLabelSizes = `[...document.querySelectorAll('svg.chart text')]
  .filter((text) => text.getClientRects().length > 0)
  .map((text) => parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a * 0.75)`
