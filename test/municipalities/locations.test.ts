import t from 'tap'
import { createLocation } from '../../src/admin/queries.ts'
import { followupWorld } from '../followup/world.ts'

/**
 * The municipality picker on the locations forms and the list of unmatched locations (issue
 * 18): a code is checked against the shipped list on the server; an unknown one brings the
 * form back with the message next to the field and changes nothing.
 */

t.test('the location form takes a code from the list and refuses an unknown one', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const base = `/admin/regions/${w.a.regionId}`
  const coordinator = await w.signIn('coordinator', [w.a.regionId])

  const page = await coordinator.get(`${base}/locations`)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<select id="f-municipality_nis" name="municipality_nis"', 'the new-location form has the picker')
  t.match(page.body, '<option value="73111">Tongeren-Borgloon</option>', 'a 2025 municipality is on the list')
  t.notMatch(page.body, '<option value="73083">', 'a retired code is not offered')

  const created = await coordinator.post(`${base}/locations`, { name: 'Bib Borgloon', address: 'Speelhof 4', municipality_nis: '73111' })
  t.equal(created.statusCode, 303)
  t.match(await db.selectFrom('locations').select(['municipality', 'municipality_nis']).where('name', '=', 'Bib Borgloon').executeTakeFirst(), { municipality_nis: '73111', municipality: 'Tongeren-Borgloon' }, 'the code, and the list\'s name as its text')

  for (const code of ['99999', '73083', 'x']) {
    const refused = await coordinator.post(`${base}/locations`, { name: `Zaal ${code}`, municipality_nis: code })
    t.equal(refused.statusCode, 422, `${code}: the form again`)
    t.match(refused.body, /id="f-municipality_nis-error">[^<]*(Kies een gemeente uit de lijst|Choose a municipality from the list)\./, `${code}: the message next to the field`)
    t.notOk(await db.selectFrom('locations').select('id').where('name', '=', `Zaal ${code}`).executeTakeFirst(), `${code}: nothing stored`)
  }

  const id = (await db.selectFrom('locations').select('id').where('name', '=', 'Bib Borgloon').executeTakeFirstOrThrow()).id
  const edit = await coordinator.post(`${base}/locations/${id}`, { name: 'Bib Borgloon', municipality_nis: '12345' })
  t.equal(edit.statusCode, 422)
  t.match(edit.body, 'id="f-municipality_nis-error"')
  t.match(await db.selectFrom('locations').select('municipality_nis').where('id', '=', id).executeTakeFirst(), { municipality_nis: '73111' }, 'the edit changed nothing')
})

t.test('unmatched locations are listed for the coordinator, each with a picker that validates', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const base = `/admin/regions/${w.a.regionId}`
  const odd = await createLocation(db, w.a.regionId, { name: 'Zaal Onbekend', municipality: 'Gemeente 7' })
  const typed = await createLocation(db, w.a.regionId, { name: 'Zaal Sint-Truiden', municipality: 'St.-Truiden' })
  const elsewhere = await createLocation(db, w.b.regionId, { name: 'Zaal Elders', municipality: 'nergens' })
  t.match(await db.selectFrom('locations').select('municipality_nis').where('id', '=', typed).executeTakeFirst(), { municipality_nis: '71053' }, 'typed text is matched when stored')

  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const page = await coordinator.get(`${base}/locations`)
  t.match(page.body, 'id="unmatched"')
  t.match(page.body, /Zaal Onbekend<\/td><td data-label="Getypt">Gemeente 7<\/td>/, 'the unmatched location with what was typed (labelled, for the stacked rows of a phone)')
  const list = page.body.slice(page.body.lastIndexOf('<div class="table">'))
  t.match(list, /Zaal Sint-Truiden<\/a><\/td><td>[^<]*<\/td><td data-label="Gemeente">Sint-Truiden<\/td>/, 'the list of locations names the municipality from the list')
  t.match(list, /„Gemeente 7”, niet op de lijst/, 'and says so where what was typed is not on it')
  t.notMatch(page.body.slice(page.body.indexOf('id="unmatched"'), page.body.indexOf('</section>', page.body.indexOf('id="unmatched"'))), 'Zaal Sint-Truiden', 'a matched one is not listed')
  t.notMatch(page.body, 'Zaal Elders', 'another region\'s location is not listed')

  const bad = await coordinator.post(`${base}/locations/${odd}/municipality`, { municipality_nis: '00000' })
  t.equal(bad.statusCode, 400, 'an unknown code: the page again')
  t.match(bad.body, 'Kies een gemeente uit de lijst.')
  t.match(await db.selectFrom('locations').select('municipality_nis').where('id', '=', odd).executeTakeFirst(), { municipality_nis: null }, 'nothing changed')

  const other = await coordinator.post(`/admin/regions/${w.a.regionId}/locations/${elsewhere}/municipality`, { municipality_nis: '73066' })
  t.equal(other.statusCode, 404, 'a location of another region is not found through this region')

  const good = await coordinator.post(`${base}/locations/${odd}/municipality`, { municipality_nis: '73066' })
  t.equal(good.statusCode, 303)
  t.match(await db.selectFrom('locations').select(['municipality', 'municipality_nis']).where('id', '=', odd).executeTakeFirst(), { municipality_nis: '73066', municipality: 'Riemst' })
  t.notMatch((await coordinator.get(`${base}/locations`)).body, 'id="unmatched"', 'nothing left to choose')

  const partner = await w.signIn('partner', [w.a.regionId])
  t.equal((await partner.post(`${base}/locations/${odd}/municipality`, { municipality_nis: '73066' })).statusCode, 403, 'a partner member may not choose')
})
