import t from 'tap'
import adminNl from '../../src/i18n/messages/admin.nl.json' with { type: 'json' }
import adminEn from '../../src/i18n/messages/admin.en.json' with { type: 'json' }
import dashboardNl from '../../src/i18n/messages/dashboard.nl.json' with { type: 'json' }
import dashboardEn from '../../src/i18n/messages/dashboard.en.json' with { type: 'json' }
import dashboardFr from '../../src/i18n/messages/dashboard.fr.json' with { type: 'json' }
import { csvMessageKeys } from '../../src/dashboard/csv-labels.ts'
import followupNl from '../../src/i18n/messages/followup.nl.json' with { type: 'json' }
import followupEn from '../../src/i18n/messages/followup.en.json' with { type: 'json' }
import posterAdminNl from '../../src/i18n/messages/poster-admin.nl.json' with { type: 'json' }
import posterAdminEn from '../../src/i18n/messages/poster-admin.en.json' with { type: 'json' }
import planningNl from '../../src/i18n/messages/planning.nl.json' with { type: 'json' }
import planningEn from '../../src/i18n/messages/planning.en.json' with { type: 'json' }
import planningFr from '../../src/i18n/messages/planning.fr.json' with { type: 'json' }
import digestNl from '../../src/i18n/messages/digest.nl.json' with { type: 'json' }
import digestEn from '../../src/i18n/messages/digest.en.json' with { type: 'json' }
import digestFr from '../../src/i18n/messages/digest.fr.json' with { type: 'json' }

/** The management pages speak Dutch and English: both catalogs hold the same keys, each filled in, with the same placeholders. */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort()

for (const [name, nl, en] of [
  ['admin', adminNl, adminEn],
  ['dashboard', dashboardNl, dashboardEn],
  ['followup', followupNl, followupEn],
  ['poster-admin', posterAdminNl, posterAdminEn],
  ['planning', planningNl, planningEn],
  // The planning page is also written in French (its table and CSV go to councils and partners).
  ['planning (fr)', planningNl, planningFr],
  ['digest', digestNl, digestEn],
  // The monthly digest goes to French-speaking partners too (page, PDF, feed, mail).
  ['digest (fr)', digestNl, digestFr],
] as const) {
  t.test(`${name}.nl.json and ${name}.en.json`, async (t) => {
    const dutch = nl as Record<string, string>
    const english = en as Record<string, string>
    t.same(Object.keys(english).sort(), Object.keys(dutch).sort(), 'the same keys')
    for (const key of Object.keys(dutch)) {
      if (!(key in english)) continue
      t.ok(dutch[key]!.trim() !== '' && english[key]!.trim() !== '', `${key} is filled in`)
      t.same(placeholders(english[key]!), placeholders(dutch[key]!), `${key} keeps its placeholders`)
    }
  })
}

// French has no management pages; dashboard.fr.json holds only the words of the CSV export
// (src/dashboard/csv-labels.ts): each a Dutch key too, filled in, with the same placeholders.
t.test('dashboard.fr.json: a part of dashboard.nl.json, in French', async (t) => {
  const french = dashboardFr as Record<string, string>
  const dutch = dashboardNl as Record<string, string>
  for (const [key, text] of Object.entries(french)) {
    t.ok(key in dutch, `${key} is a Dutch key too`)
    t.ok(text.trim() !== '' && text !== dutch[key], `${key} is filled in, in French`)
    t.same(placeholders(text), placeholders(dutch[key] ?? ''), `${key} keeps its placeholders`)
  }
  for (const key of [...csvMessageKeys, 'dashboard.age.none', ...['all', 'children', 'youth', 'adults', 'seniors'].map((a) => `dashboard.audience.${a}`)]) {
    t.ok(key in french, `the CSV's ${key} is in French`)
  }
})
