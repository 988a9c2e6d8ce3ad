import t from 'tap'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { cellKey, K, publish } from '../../src/answers/cell-key.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { now } from './dataset.ts'
import { buildWorld, storeAnswer } from './world.ts'
import { pdfLines } from '../posters/pdf-tools.ts'

/**
 * Assisted answers (issue 19) as the dashboard publishes them, and the differencing attack
 * the issue names: "all minus unassisted must not give away a small count of assisted
 * answers". Two assisted answers are recorded through the staff page in ISO week 2026-W47,
 * next to twelve answers given on the poster; the figures are read over the API (the read
 * side the page and the CSV share), and every expected figure is worked out here from the
 * stored answers' true counts and record keys with publish(), not from the dashboard's code.
 */

const week = '2026-W47'

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  let clock = new Date('2026-11-18T10:00:00.000Z')
  const { app, database } = await buildTestApp(t, {}, { now: () => clock })
  const db = database.db
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => clock })
  const world = await buildWorld(db, { k: 5 })
  const poster = world.posters[0]!
  for (let i = 0; i < 12; i++) {
    await storeAnswer(db, world, { poster, createdAt: `2026-11-17T1${i % 10}:0${Math.floor(i / 10)}:00.000Z`, triedNew: i % 3 === 0 ? 'yes' : 'no', recordKey: (i * 61 + 7) % 256 })
  }
  await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [world.regionId] })
  const bridge = new Browser(app)
  if ((await bridge.signIn('brug@example.be', testPassword)).statusCode !== 303) throw new Error('the bridge figure cannot sign in')
  const path = `/admin/regions/${world.regionId}/assisted`
  async function recordAssisted(fields: Record<string, string | string[]>) {
    const form = await bridge.get(path)
    const ticket = /name="ticket" value="([^"]+)"/.exec(form.body)?.[1]
    if (!ticket) throw new Error('no ticket on the assisted form')
    return bridge.post(path, { ticket, poster_id: String(poster.id), language: 'nl', tried_new: 'yes', ...fields })
  }
  for (const hour of ['10', '11']) {
    clock = new Date(`2026-11-18T${hour}:00:00.000Z`)
    const saved = await recordAssisted({ themes: String(world.themes[0]!.id), age_band: '45_64', liked: '4' })
    if (saved.statusCode !== 303) throw new Error(`assisted answer not saved: ${saved.statusCode}`)
  }
  clock = now
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'attack', userId: null })
  const api = async (endpoint: string, query: string) =>
    app.inject({ url: `/pinned/api/v1/regions/${world.regionId}/${endpoint}?${query}`, headers: { authorization: `Bearer ${token}` } })

  /** The true count and key sum (mod 256) of the stored answers of the week that `pick` selects. */
  async function truth(pick: (row: { assisted: number }) => boolean): Promise<{ count: number; key: number }> {
    const rows = await db.selectFrom('responses').select(['assisted', 'record_key', 'created_at']).where('region_id', '=', world.regionId).execute()
    const inWeek = rows.filter((row) => row.created_at >= '2026-11-16' && row.created_at < '2026-11-23' && pick(row))
    return { count: inWeek.length, key: inWeek.reduce((sum, row) => sum + row.record_key, 0) % 256 }
  }
  return { app, db, world, poster, bridge, path, api, truth, recordAssisted }
}

t.test('assisted answers are counted as such: the filtered figure, and the default view includes them', async (t) => {
  const { db, world, api, truth } = await setup(t)
  const stored = await db.selectFrom('responses').select(['assisted', 'step', 'age_band']).where('region_id', '=', world.regionId).where('assisted', '=', 1).execute()
  t.equal(stored.length, 2, 'the two answers recorded at the desk are stored as assisted')
  t.ok(stored.every((row) => row.step === 2 && row.age_band === '45_64'), 'with their step-2 fields')

  const all = await truth(() => true)
  const unassisted = await truth((row) => row.assisted === 0)
  const assisted = await truth((row) => row.assisted === 1)
  t.same([all.count, unassisted.count, assisted.count], [14, 12, 2], 'the world: 14 answers in the week, 2 of them assisted')

  const byDefault = (await api('summary', `period=${week}`)).json()
  t.equal(byDefault.responses.count, publish(all.count, all.key), 'the default view counts every answer, assisted ones included')
  t.same(byDefault.filters, {}, 'and "include" is no filter')
  const included = (await api('summary', `period=${week}&assisted=include`)).json()
  t.equal(included.responses.count, byDefault.responses.count, 'assisted=include is the default view')

  const only = await api('summary', `period=${week}&assisted=only`)
  t.equal(only.statusCode, 200)
  t.equal(only.json().responses.count, publish(assisted.count, assisted.key), 'only the assisted answers: their own published count')
  t.ok(only.json().responses.count === 0 || only.json().responses.count >= K, `a small count of assisted answers publishes ${only.json().responses.count}, never 1 … ${K - 1}`)
  t.same(only.json().filters, { assisted: 'only' }, 'the filter is named in the answer')

  const without = (await api('summary', `period=${week}&assisted=exclude`)).json()
  t.equal(without.responses.count, publish(unassisted.count, unassisted.key), 'leaving them out: the published count of the other answers')

  // The themes and breakdowns of the same slice go through the same filter and cell key.
  const themes = (await api('themes', `period=${week}&assisted=only`)).json()
  const theme = themes.ranked.find((row: { theme: { id: number } }) => row.theme.id === world.themes[0]!.id)
  // A theme that publishes 0 is not listed (docs/privacy.md).
  t.equal(theme?.chosen.count ?? 0, publish(2, assisted.key), 'the theme both assisted answers chose: the published count of those two answers')
})

t.test('the attack: all minus unassisted is a difference of two perturbed counts, not the count of assisted answers', async (t) => {
  const { api, truth } = await setup(t)
  const all = await truth(() => true)
  const unassisted = await truth((row) => row.assisted === 0)
  const assisted = await truth((row) => row.assisted === 1)
  const total = (await api('summary', `period=${week}`)).json().responses.count as number
  const rest = (await api('summary', `period=${week}&assisted=exclude`)).json().responses.count as number
  const difference = total - rest
  t.equal(difference, publish(all.count, all.key) - publish(unassisted.count, unassisted.key), 'the attacker’s difference is that of two published counts, each through its own cell key')
  t.equal(all.key, (unassisted.key + assisted.key) % 256, 'the whole’s key holds the assisted answers’ keys: they are random to the reader')

  // What the reader learns: the assisted answers' key sum is unknown to them (uniform over
  // 0…255, since every record key is). Over every value it can take, how often is the
  // difference exactly the true count of 2? An exact filter (no cell key) gives 2 every time.
  const seen = new Map<number, number>()
  for (let keys = 0; keys < 256; keys++) {
    const d = publish(all.count, cellKey(unassisted.key + keys)) - publish(unassisted.count, unassisted.key)
    seen.set(d, (seen.get(d) ?? 0) + 1)
  }
  const exact = (seen.get(assisted.count) ?? 0) / 256
  t.ok(exact < 0.25, `the difference is the exact count 2 for ${(exact * 100).toFixed(1)} % of the keys the assisted answers can have (an unperturbed filter: 100 %)`)
  t.ok(seen.size >= 5, `it takes ${seen.size} different values, ${[...seen.keys()].sort((a, b) => a - b).join(', ')}`)
  t.ok(seen.has(difference), 'and the value published is one of them')
})

t.test('the assisted switch is one of the two filters', async (t) => {
  const { world, poster, api, app } = await setup(t)
  const two = await api('summary', `period=${week}&partner=${poster.partnerId}&assisted=only`)
  t.equal(two.statusCode, 200, 'a partner and the switch: two filters')
  const three = await api('summary', `period=${week}&partner=${poster.partnerId}&location=${poster.locationId}&assisted=exclude`)
  t.equal(three.statusCode, 400)
  t.equal(three.json().error.code, 'too_many_filters', 'a third is refused, the switch counted like any filter')
  const includeIsNone = await api('summary', `period=${week}&partner=${poster.partnerId}&location=${poster.locationId}&assisted=include`)
  t.equal(includeIsNone.statusCode, 200, '"include" is the default and no filter')
  const unknown = await api('summary', `period=${week}&assisted=some`)
  t.equal(unknown.statusCode, 400, 'an unknown value is refused by the API')

  await makeUser(app.db, 'coordinator', 'coord@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=${week}&partner=${poster.partnerId}&location=${poster.locationId}&assisted=only`)
  t.equal(page.statusCode, 400, 'the page keeps two and says why')
  t.match(page.body, /<select name="assisted"[^>]*>/, 'the dashboard form has the switch')
  t.notMatch(page.body, /<option value="only" selected>/, 'the third filter (the switch, last in the form’s order) is the one dropped')
  const csv = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=${week}&assisted=only`)
  t.equal(csv.statusCode, 200, 'the CSV takes the switch too')
  const pdf = await app.inject({ url: `/admin/dashboard/${world.regionId}/report.pdf?period=${week}&assisted=exclude`, headers: { cookie: coordinator.cookieHeader } })
  t.equal(pdf.statusCode, 200)
  t.match(await pdfLines(pdf.rawPayload), 'Antwoorden met hulp: weglaten', 'the report names the switch among its filters')
})
