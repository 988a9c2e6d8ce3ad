import t from 'tap'
import adminNl from '../../src/i18n/messages/admin.nl.json' with { type: 'json' }
import adminEn from '../../src/i18n/messages/admin.en.json' with { type: 'json' }
import dashboardNl from '../../src/i18n/messages/dashboard.nl.json' with { type: 'json' }
import dashboardEn from '../../src/i18n/messages/dashboard.en.json' with { type: 'json' }

/** The management pages speak Dutch and English: both catalogs hold the same keys, each filled in, with the same placeholders. */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort()

for (const [name, nl, en] of [
  ['admin', adminNl, adminEn],
  ['dashboard', dashboardNl, dashboardEn],
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
