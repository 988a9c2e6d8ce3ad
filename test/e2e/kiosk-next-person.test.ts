import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { launchBrowser } from './browser.ts'

/**
 * A kiosk tablet is shared: whoever comes next sees what the browser kept of the person
 * before. Person 1 answers both steps and asks to be contacted; person 2 reads the address
 * bar and the history, opens every address found there, presses Back and submits whatever
 * form is offered. Nothing of person 1's answer or contact request may change.
 */
t.setTimeout(180_000)

let browser: Browser
t.before(async () => {
  browser = await launchBrowser()
})
t.teardown(() => browser?.close())

/** Whatever step-2 form the page shows is filled in and sent, as person 2 would. */
async function submitStepTwoIfOffered(page: Page): Promise<boolean> {
  if ((await page.locator('textarea[name="free_text"]').count()) === 0) return false
  await page.locator('input[name="liked"][value="1"]').check()
  await page.locator('textarea[name="free_text"]').fill('overschreven door persoon 2')
  await page.locator('button.submit').click()
  await page.waitForLoadState('load')
  return true
}

/** A withdrawal confirmation, when the page offers one, is confirmed. */
async function confirmWithdrawalIfOffered(page: Page): Promise<boolean> {
  if ((await page.locator('form[action="/withdraw"]').count()) === 0) return false
  await page.locator('form[action="/withdraw"] button').click()
  await page.waitForLoadState('load')
  return true
}

t.test('the next person at a kiosk can neither change nor withdraw what the person before sent', async (t) => {
  const ctx = await buildTestApp(t, {}, { minFillMs: { step1: 0, step2: 0 } })
  const fixture = await seedPoster(ctx.database)
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: 'nl' })
  const page = await context.newPage()

  // Person 1.
  await page.goto(`${base}/k/${fixture.code}`)
  await page.locator('button[name="tried_new"][value="yes"]').click()
  await page.locator('textarea[name="free_text"]').waitFor()
  await page.locator('input[name="liked"][value="5"]').check()
  await page.locator('textarea[name="free_text"]').fill('Ik wil leren naaien')
  await page.locator('#f-contact summary').click()
  await page.locator('#f-contact_name').fill('Fatima')
  await page.locator('#f-contact_value').fill('0474/12.34.56')
  await page.locator('#f-contact_consent').check()
  await page.locator('button.submit').click()
  await page.waitForLoadState('load')
  t.match(await page.locator('h1').innerText(), 'Bedankt!', 'person 1 sees the thank-you page')

  const db = ctx.database.db
  const answerOf = () => db.selectFrom('responses').select(['id', 'liked', 'free_text', 'step']).execute()
  const contactOf = () => db.selectFrom('contact_requests').select(['response_id', 'status', 'name', 'contact_value', 'erased_at']).execute()
  const answerBefore = await answerOf()
  const contactBefore = await contactOf()
  t.match(answerBefore, [{ liked: 5, free_text: 'Ik wil leren naaien', step: 2 }], "person 1's answer is stored")
  t.match(contactBefore, [{ status: 'new', name: 'Fatima', erased_at: null }], "person 1's contact request is stored")

  // Person 2 reads the address bar, then walks back through the history to its start.
  const thanksUrl = page.url()
  const seen = [thanksUrl]
  for (let back = 0; back < 6; back++) {
    const response = await page.goBack({ waitUntil: 'load' }).catch(() => null)
    if (response === null) break
    seen.push(page.url())
  }
  // Back from the thank-you page, as the next person finds the tablet, and submit.
  await page.goto(thanksUrl)
  await page.goBack({ waitUntil: 'load' }).catch(() => null)
  await page.goBack({ waitUntil: 'load' }).catch(() => null)
  seen.push(page.url())
  await submitStepTwoIfOffered(page)
  t.comment(`addresses person 2 found: ${JSON.stringify(seen)}`)
  for (const url of seen) t.notMatch(new URL(url).search, /[?&](t|w)=/, `no token in a kiosk address: ${url}`)

  // Every address found is opened again, and every token in it tried where it works.
  for (const url of new Set(seen)) {
    const found = new URL(url)
    await page.goto(url)
    await submitStepTwoIfOffered(page)
    const t2 = found.searchParams.get('t')
    if (t2) {
      await page.goto(`${base}/k/${fixture.code}/2?t=${encodeURIComponent(t2)}`)
      await submitStepTwoIfOffered(page)
      await page.goto(`${base}/q/${fixture.code}/2?t=${encodeURIComponent(t2)}`)
      await submitStepTwoIfOffered(page)
    }
    const w = found.searchParams.get('w')
    if (w) {
      await page.goto(`${base}/withdraw?w=${encodeURIComponent(w)}`)
      await confirmWithdrawalIfOffered(page)
    }
  }

  t.same(await answerOf(), answerBefore, "person 1's step-2 answer is unchanged")
  t.same(await contactOf(), contactBefore, "person 1's contact request is still there, unchanged")
  await context.close()
})
