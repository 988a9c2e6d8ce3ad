import t from 'tap'
import { createActivity, createPartner, setActivityThemes } from '../../src/admin/queries.ts'
import { proposalScore } from '../../src/planning/criteria.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { makeUser } from '../auth/browser.ts'
import { buildPlanningWorld, now } from './world.ts'

/**
 * Choosing activities the KLOOZ way (issue 18): weighted criteria with their history, a
 * panel, scores 1–5 per criterion, the weighted mean that ranks proposals (and re-ranks
 * them when a weight changes), a partner's members never scoring their own partner's
 * proposal, accepting a proposal, and bad weights and scores.
 */

t.test('proposalScore: the weighted mean over criteria of the panel’s mean score', async (t) => {
  const criteria = [
    { id: 1, weight: 5 },
    { id: 2, weight: 1 },
    { id: 3, weight: 0 },
  ]
  const panel = new Set([10, 11])
  const scores = [
    { criterionId: 1, userId: 10, score: 5 },
    { criterionId: 1, userId: 11, score: 3 },
    { criterionId: 2, userId: 10, score: 1 },
    { criterionId: 3, userId: 10, score: 1 },
    { criterionId: 1, userId: 99, score: 1 },
  ]
  // criterion 1: mean 4, weight 5; criterion 2: mean 1, weight 1; weight 0 and non-members do not count.
  t.same(proposalScore(criteria, scores, panel), { score: (5 * 4 + 1 * 1) / 6, members: 2 })
  t.same(proposalScore(criteria, [], panel), { score: null, members: 0 })
})

t.test('criteria, panel, scores, ranking, accepting', async (t) => {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const world = await buildPlanningWorld(db)
  const base = `/admin/regions/${world.regionId}/planning`
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })

  const first = await coordinator.get(`${base}/criteria`)
  t.equal(first.statusCode, 200)
  const criteria = await db.selectFrom('selection_criteria').select(['id', 'label', 'weight']).where('region_id', '=', world.regionId).orderBy('position').execute()
  t.same(criteria.map((c) => c.label), ['Sluit aan bij een gemeten nood', 'Bereikt wie het minst deelneemt', 'Bouwt op een sterkte van een partner', 'Past in het beleidsplan van de gemeente', 'Lage drempel', 'Leidt naar een formeler leertraject'], 'the six examples are seeded the first time')
  await coordinator.get(`${base}/criteria`)
  t.equal(Number((await db.selectFrom('selection_criteria').select((eb) => eb.fn.countAll().as('n')).where('region_id', '=', world.regionId).executeTakeFirstOrThrow()).n), 6, 'and only once')

  // Bad weights: the form again, the message next to the field, nothing stored.
  for (const bad of ['11', '-1', '2.5', 'tien', '']) {
    const response = await coordinator.post(`${base}/criteria/weights`, { [`weight_${criteria[0]!.id}`]: '7', [`weight_${criteria[1]!.id}`]: bad })
    t.equal(response.statusCode, 422, `weight "${bad}" refused`)
    t.match(response.body, `id="f-weight_${criteria[1]!.id}-error">Typ een geheel getal van 0 tot 10.`, 'next to the field')
  }
  t.same((await db.selectFrom('selection_criteria').select('weight').where('id', '=', criteria[0]!.id).executeTakeFirstOrThrow()).weight, criteria[0]!.weight, 'no weight changed, not even the valid one')
  await coordinator.get(`${base}/criteria`)
  const badNew = await coordinator.post(`${base}/criteria`, { label: 'Duurzaam', weight: '12' })
  t.equal(badNew.statusCode, 422)
  t.match(badNew.body, 'value="Duurzaam"', 'the label typed is kept')

  // The panel: a coordinator, a member of P1 and a member of P3; not someone of another region.
  const p1Member = await makeUser(db, 'partner', 'p1@example.be', { partnerIds: [world.partners[0]!] })
  const p3Member = await makeUser(db, 'partner', 'p3@example.be', { partnerIds: [world.partners[2]!] })
  const coordinatorId = (await db.selectFrom('users').select('id').where('role', '=', 'coordinator').executeTakeFirstOrThrow()).id
  const otherRegion = await makeUser(db, 'coordinator', 'elders@example.be', { regionIds: [] })
  await coordinator.get(`${base}/criteria`)
  for (const id of [coordinatorId, p1Member, p3Member]) t.equal((await coordinator.post(`${base}/panel`, { user_id: String(id) })).statusCode, 303)
  const stranger = await coordinator.post(`${base}/panel`, { user_id: String(otherRegion) })
  t.equal(stranger.statusCode, 422, 'someone outside the region cannot join the panel')
  t.match(stranger.body, 'Kies iemand die in deze regio werkt.')

  // Two proposals: one by P1 (languages: a need without an offer), one by P2 (cooking).
  const langs = await createActivity(db, { partnerId: world.partners[0]!, title: 'Taalcafé', state: 'proposed' })
  await setActivityThemes(db, world.regionId, langs, [world.themes['talen']!])
  const cook = await createActivity(db, { partnerId: world.partners[1]!, title: 'Kookatelier', state: 'proposed' })
  await setActivityThemes(db, world.regionId, cook, [world.themes['koken-voeding']!])

  const p1 = await signedIn(app, db, 'partner', { partnerIds: [world.partners[0]!] })
  // signedIn makes its own account: put that one on the panel too.
  const p1Browser = (await db.selectFrom('users').select('id').where('email', 'like', 'partner-%').orderBy('id', 'desc').executeTakeFirstOrThrow()).id
  await coordinator.get(`${base}/criteria`)
  await coordinator.post(`${base}/panel`, { user_id: String(p1Browser) })
  const own = await p1.get(`${base}/proposals/${langs}`)
  t.equal(own.statusCode, 200, 'a panel member reads their own partner’s proposal')
  t.match(own.body, 'je scoort het niet', 'but gets no scoring form')
  t.notMatch(own.body, `/proposals/${langs}/scores`)
  await p1.get(`${base}/proposals/${cook}`)
  const ownPost = await p1.post(`${base}/proposals/${langs}/scores`, { [`score_${criteria[0]!.id}`]: '5' })
  t.equal(ownPost.statusCode, 403, 'posting a score for their own partner’s proposal is refused')
  t.equal(Number((await db.selectFrom('proposal_scores').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing stored')

  // Bad scores.
  await coordinator.get(`${base}/proposals/${cook}`)
  for (const bad of ['0', '6', '3.5', 'x']) {
    const response = await coordinator.post(`${base}/proposals/${cook}/scores`, { [`score_${criteria[0]!.id}`]: '4', [`score_${criteria[1]!.id}`]: bad })
    t.equal(response.statusCode, 422, `score "${bad}" refused`)
    t.match(response.body, `id="f-score_${criteria[1]!.id}-error">Kies een score van 1 tot 5.`)
  }
  t.equal(Number((await db.selectFrom('proposal_scores').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing stored')

  // Scores: cooking high on "need", languages high on "reach"; the coordinator scores both, P1 scores cooking.
  const [need, reach] = [criteria[0]!.id, criteria[1]!.id]
  await coordinator.post(`${base}/proposals/${cook}/scores`, { [`score_${need}`]: '5', [`score_${reach}`]: '2', [`note_${need}`]: 'Veel vraag' })
  await coordinator.get(`${base}/proposals/${langs}`)
  await coordinator.post(`${base}/proposals/${langs}/scores`, { [`score_${need}`]: '1', [`score_${reach}`]: '5' })
  t.equal((await p1.post(`${base}/proposals/${cook}/scores`, { [`score_${need}`]: '5', [`score_${reach}`]: '2' })).statusCode, 303, 'a partner member scores another partner’s proposal')
  const expected = (weights: Record<number, number>) => {
    const score = (perCriterion: Record<number, number[]>) => {
      let sum = 0
      let w = 0
      for (const [id, list] of Object.entries(perCriterion)) {
        const weight = weights[Number(id)]!
        if (weight === 0) continue
        sum += (weight * list.reduce((a, b) => a + b, 0)) / list.length
        w += weight
      }
      return sum / w
    }
    return { cook: score({ [need]: [5, 5], [reach]: [2, 2] }), langs: score({ [need]: [1], [reach]: [5] }) }
  }
  const ranking = async () => {
    const page = await coordinator.get(`${base}/proposals`)
    return [...page.body.matchAll(/proposals\/(\d+)">([^<]+)<\/a>/g)].map((m) => m[2])
  }
  const initial = expected({ [need]: criteria[0]!.weight, [reach]: criteria[1]!.weight })
  t.ok(initial.cook > initial.langs, `with the seeded weights cooking (${initial.cook}) beats languages (${initial.langs})`)
  t.same(await ranking(), ['Kookatelier', 'Taalcafé'])
  const list = await coordinator.get(`${base}/proposals`)
  t.match(list.body, new Intl.NumberFormat('nl', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(initial.cook), 'the score shown')
  t.match(list.body, 'Talen: Nood zonder aanbod', 'which need a proposal answers')

  // Weight on reaching people raised to 10, need lowered to 1: languages rise to the top.
  await coordinator.get(`${base}/criteria`)
  t.equal((await coordinator.post(`${base}/criteria/weights`, { [`weight_${need}`]: '1', [`weight_${reach}`]: '10' })).statusCode, 303)
  const after = expected({ [need]: 1, [reach]: 10 })
  t.ok(after.langs > after.cook)
  t.same(await ranking(), ['Taalcafé', 'Kookatelier'], 'changing a weight re-ranks the open proposals')
  const history = await db.selectFrom('selection_criterion_weights').select(['criterion_id', 'weight']).where('criterion_id', 'in', [need, reach]).orderBy('id').execute()
  t.same(history.map((h) => [h.criterion_id, h.weight]), [[need, criteria[0]!.weight], [reach, criteria[1]!.weight], [need, 1], [reach, 10]], 'the weights keep their history')
  // Scoring again keeps the old score as history; the newest counts.
  await coordinator.get(`${base}/proposals/${langs}`)
  await coordinator.post(`${base}/proposals/${langs}/scores`, { [`score_${need}`]: '2', [`score_${reach}`]: '1' })
  t.equal(Number((await db.selectFrom('proposal_scores').select((eb) => eb.fn.countAll().as('n')).where('activity_id', '=', langs).executeTakeFirstOrThrow()).n), 4, 'old scores are kept')
  t.same(await ranking(), ['Kookatelier', 'Taalcafé'], 'the newest score counts')

  // A proposal is not supply and gets no posters until it is accepted.
  const csv = (await coordinator.get(`${base}/export.csv?lang=en`)).body
  t.match(csv, /\r\nLanguages;Need without an offer;/, 'a proposal does not turn a need into "both"')
  await coordinator.get(`/admin/regions/${world.regionId}/activities/${langs}`)
  const posters = await coordinator.post(`/admin/regions/${world.regionId}/activities/${langs}/posters`, { locations: String((await db.selectFrom('locations').select('id').where('region_id', '=', world.regionId).executeTakeFirstOrThrow()).id) })
  t.equal(posters.statusCode, 409, 'no posters for a proposal')
  t.match(posters.body, 'Dit is nog een voorstel')
  t.equal((await p1.post(`${base}/proposals/${langs}/accept`)).statusCode, 403, 'a partner member cannot accept')
  await coordinator.get(`${base}/proposals/${langs}`)
  const accepted = await coordinator.post(`${base}/proposals/${langs}/accept`)
  t.equal(accepted.statusCode, 303)
  t.equal((await db.selectFrom('activities').select('state').where('id', '=', langs).executeTakeFirstOrThrow()).state, 'planned', 'accepting plans it')
  t.same(await ranking(), ['Kookatelier'], 'and it leaves the proposals')
  t.equal((await coordinator.get(`${base}/proposals/${langs}`)).statusCode, 404, 'an accepted proposal is no longer one')

  // Another region: its coordinator finds nothing here, and this region's ids are not found from there.
  const { createRegion } = await import('../../src/admin/queries.ts')
  const elsewhere = await createRegion(db, { slug: 'elders-criteria', name: 'Elders' })
  const foreign = await signedIn(app, db, 'coordinator', { regionIds: [elsewhere] })
  for (const path of [`${base}/criteria`, `${base}/proposals`, `${base}/proposals/${cook}`]) t.equal((await foreign.get(path)).statusCode, 404, `another region's coordinator: ${path} not found`)
  await foreign.get(`/admin/regions/${elsewhere}/planning/criteria`)
  const elsewhereBase = `/admin/regions/${elsewhere}/planning`
  t.equal((await foreign.get(`${elsewhereBase}/proposals/${cook}`)).statusCode, 404, 'a proposal of another region under their own region: not found')
  t.equal((await foreign.post(`${elsewhereBase}/proposals/${cook}/accept`)).statusCode, 404)
  t.equal((await foreign.post(`${elsewhereBase}/criteria/${need}/retire`)).statusCode, 404, "another region's criterion: not found")
  t.equal((await foreign.post(`${elsewhereBase}/panel/${p1Member}/remove`)).statusCode, 404)
  t.equal((await foreign.post(`${elsewhereBase}/criteria/weights`, { [`weight_${need}`]: '9' })).statusCode, 303, 'a weight for a criterion of another region is ignored')
  t.equal((await db.selectFrom('selection_criteria').select('weight').where('id', '=', need).executeTakeFirstOrThrow()).weight, 1, 'and changes nothing here')
  t.equal((await db.selectFrom('activities').select('state').where('id', '=', cook).executeTakeFirstOrThrow()).state, 'proposed', 'the proposal is still open')

  // Who may open what.
  const bridge = await signedIn(app, db, 'bridge', { regionIds: [world.regionId] })
  t.equal((await bridge.get(`${base}/proposals`)).statusCode, 403, 'off the panel: no proposals')
  t.equal((await bridge.get(`${base}/criteria`)).statusCode, 403, 'and no criteria')
  t.equal((await p1.get(`${base}/criteria`)).statusCode, 403, 'criteria are the coordinator’s')
  const otherPartner = await createPartner(db, world.regionId, 'Zonder panel', 'other')
  const offPanel = await signedIn(app, db, 'partner', { partnerIds: [otherPartner] })
  t.equal((await offPanel.get(`${base}/proposals`)).statusCode, 403, 'a partner member off the panel: no proposals')
  const p3 = await db.selectFrom('scoring_panel').select('user_id').where('user_id', '=', p3Member).executeTakeFirst()
  t.ok(p3, 'P3 is on the panel')
  await coordinator.get(`${base}/criteria`)
  t.equal((await coordinator.post(`${base}/panel/${p3Member}/remove`)).statusCode, 303)
  t.notOk(await db.selectFrom('scoring_panel').select('user_id').where('user_id', '=', p3Member).executeTakeFirst(), 'removed from the panel')
  t.equal((await coordinator.post(`${base}/panel/${p3Member}/remove`)).statusCode, 404, 'removing again: not found')
})
