import { launchBrowser, screenshot } from '../test/e2e/browser.ts'
import { buildTestApp, seedPoster } from '../test/helpers.ts'

/**
 * `npm run screenshots`: the citizen pages at a small phone's size, as PNG files in
 * test/artifacts/, for a person to look at (the browser tests assert; this shows).
 */
const teardowns: (() => unknown)[] = []
const ctx = await buildTestApp({ teardown: (fn) => teardowns.push(fn) })
const fixture = await seedPoster(ctx.database)
const kids = await seedPoster(ctx.database, { regionId: fixture.regionId, audience: 'children' })
const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
const browser = await launchBrowser()
const page = await browser.newPage({ viewport: { width: 360, height: 640 } })
const shots: [string, string][] = [
  ['step1-nl', `/q/${fixture.code}`],
  ['step1-ar', `/q/${fixture.code}?lang=ar`],
  ['step1-children-nl', `/q/${kids.code}?lang=nl`],
  ['entry-nl', '/q?lang=nl'],
  ['unknown-fr', '/q/ZZZZZZ?lang=fr'],
  ['thanks-nl', `/q/${fixture.code}/thanks?lang=nl`],
  ['kiosk-thanks-uk', `/k/${fixture.code}/thanks?lang=uk`],
]
for (const [name, url] of shots) {
  await page.goto(`${base}${url}`)
  console.log(await screenshot(page, name))
}
await browser.close()
for (const fn of teardowns.reverse()) await fn()
