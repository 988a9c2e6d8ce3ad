import t from 'tap'
import type { Browser } from 'playwright-core'
import { translator } from '../../src/i18n/i18n.ts'
import childDefaults from '../../src/themes/default-child-themes.json' with { type: 'json' }
import { buildTestApp, seedPoster } from '../helpers.ts'
import { axeViolations, launchBrowser, screenshot } from './browser.ts'

/**
 * A children's poster in a real browser at a small phone's size (issue 19): the child sees
 * three faces, the children's themes and the children's age bands, taps one of each, and
 * the answer is stored with its own band under "jonger dan 12".
 */

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

t.test('a child answers step 2 by touch at 360×640, in Dutch and in Ukrainian', async (t) => {
  const ctx = await buildTestApp(t, {}, { minFillMs: { step1: 0, step2: 0 } })
  const kids = await seedPoster(ctx.database, { audience: 'children' })
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  for (const lang of ['nl', 'uk'] as const) {
    const tr = translator(lang)
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true, locale: lang })
    const page = await context.newPage()
    await page.goto(`${base}/Q/${kids.code}?lang=${lang}`)
    await page.locator('button[name="tried_new"][value="yes"]').tap()
    await page.waitForURL(/\/q\/[A-Z0-9]{6}\/2\?t=/)

    const themes = await page.locator('input[name="themes"]').evaluateAll((boxes) => boxes.map((box) => box.parentElement!.textContent!.trim()))
    t.same(
      themes,
      childDefaults.themes.map((theme) => `${theme.icon}${(theme.label as Record<string, string>)[lang]}`),
      `${lang}: only the children’s themes, in order`,
    )
    const bands = await page.locator('input[name="age_band"]').evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).value))
    t.same(bands, ['under_8', '8_9', '10_11'], `${lang}: only the children’s bands`)
    t.equal(await page.locator('input[name="liked"]').count(), 3, `${lang}: three faces`)
    t.equal(await page.locator('#f-contact').count(), 0, `${lang}: no contact block`)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= 360, `${lang}: no sideways scrolling (${width} px)`)
    t.same(await axeViolations(page), [], `${lang}: axe finds nothing`)
    await screenshot(page, `step2-children-${lang}`)

    const label = page.locator('label', { hasText: tr('step2.age.8_9') })
    await label.tap()
    await page.locator('label', { hasText: (childDefaults.themes[6]!.label as Record<string, string>)[lang] }).tap()
    await page.locator('button.submit').tap()
    await page.waitForURL(/\/thanks\?/)
    await context.close()
  }
  const rows = await ctx.database.db.selectFrom('responses').select(['age_band', 'child_age_band', 'step']).execute()
  t.same(rows, [{ age_band: 'under_12', child_age_band: '8_9', step: 2 }, { age_band: 'under_12', child_age_band: '8_9', step: 2 }], 'both answers: "8 of 9", counted as "jonger dan 12"')
  const robots = await ctx.database.db.selectFrom('response_themes').innerJoin('themes', 'themes.id', 'response_themes.theme_id').select(['themes.slug', 'themes.audience']).execute()
  t.same(robots, [{ slug: 'kinderen-computers-robots', audience: 'children' }, { slug: 'kinderen-computers-robots', audience: 'children' }])
})
