import type { Kysely } from 'kysely'
import { createLocationRequest } from '../src/admin/location-requests.ts'
import { addDays, localDay, newRecordKey } from '../src/answers/index.ts'
import type { AttemptResult, Audience, ContactOutcome, Database, PathStepKind } from '../src/db/types.ts'
import { scopeKey } from '../src/digest/subscriptions.ts'
import { consentText, consentVersion } from '../src/followup/contact-form.ts'
import { moderate } from '../src/followup/moderation.ts'
import { createOffer } from '../src/followup/offers.ts'
import { upsertContactRequest } from '../src/followup/queries.ts'
import { addRegionUpdate, setRegionUpdateHidden } from '../src/updates/queries.ts'

/**
 * What the demo needs besides answers, so that no page of the product looks empty: learning
 * offers of several partners with their themes, public updates (one hidden), follow-up
 * requests in every state for the demo bridge figure, approved quotes (and texts still
 * waiting for moderation), learning paths in the states the bridge figure's start page
 * shows (due today, overdue with "did they start?", a referral that started, one
 * completed), the demo coordinator's digest subscriptions, and one open location request.
 *
 * It runs after `seedDemo` and `createDemoAccounts` (it needs the regions and the demo
 * accounts), on every `npm run demo`: it is idempotent, each part added only where the region
 * has none of it yet (offers and updates by their title or text, follow-up, learning paths,
 * quotes and the location request by region, the coordinator's digest subscriptions by
 * region), so a second run adds nothing and an older demo database
 * gets what it lacked. Deterministic for a given `seed`: answers are chosen from a sorted
 * list by a seeded generator.
 *
 * Privacy as in production: the people are clearly invented ("Ans Voorbeeld"), reachable
 * only at addresses under `.example` (a domain reserved for examples, RFC 2606); requests
 * are recent, so the region's retention (contact details erased 30 days after closing, 90
 * after the request) erases them as it would real ones; quotes are seeded texts that name
 * no one.
 */

export interface ExtrasOptions {
  now?: Date
  seed?: number
  /** The demo accounts' domain (src/auth/demo-accounts.ts). */
  domain?: string
}

export interface ExtrasSummary {
  offers: number
  updates: number
  contactRequests: number
  approvedQuotes: number
  locationRequests: number
  pathSteps: number
  digestSubscriptions: number
}

const dayMs = 24 * 60 * 60 * 1000

function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` distinct items of `list`, in a seeded order. */
function sample<T>(random: () => number, list: readonly T[], count: number): T[] {
  const copy = [...list]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy.slice(0, count)
}

interface DemoOffer {
  title: string
  provider: string
  place: string
  schedule: string
  cost: string
  audience: Audience
  themes: string[]
  languages: string[]
}

const offers: Record<string, DemoOffer[]> = {
  'zuid-limburg': [
    { title: 'Digitaal Café: je smartphone de baas', provider: 'Bibliotheek Tongeren', place: 'Bibliotheek Tongeren', schedule: 'Elke dinsdag 14–16 u', cost: 'Gratis', audience: 'adults', themes: ['digitaal'], languages: ['nl', 'fr'] },
    { title: 'Hulp bij je papieren en je bankapp', provider: 'Sociaal Huis Tongeren', place: 'Sociaal Huis Tongeren', schedule: 'Donderdag 9–12 u, op afspraak', cost: 'Gratis', audience: 'all', themes: ['geld-administratie', 'digitaal'], languages: ['nl', 'fr', 'en'] },
    { title: 'Nederlands oefenen aan tafel', provider: 'Centrum voor Basiseducatie Zuid-Limburg', place: 'Gemeenschapscentrum Riemst', schedule: 'Maandag 19–21 u', cost: '€ 5 per reeks', audience: 'adults', themes: ['talen', 'lezen-schrijven-rekenen'], languages: ['nl'] },
    { title: 'Basiscursus snoeien van hoogstamfruit', provider: 'Fruitbedrijf Vanhees', place: 'Fruitbedrijf Vanhees', schedule: 'Zaterdagen in februari, 9–12 u', cost: '€ 25', audience: 'adults', themes: ['natuur-tuin', 'ambacht-maken'], languages: ['nl'] },
    { title: 'Zelf herstellen: naaimachine en fiets', provider: 'Repair Café Borgloon vzw', place: 'Bibliotheek Borgloon', schedule: 'Eerste zaterdag van de maand', cost: 'Vrije bijdrage', audience: 'all', themes: ['ambacht-maken', 'duurzaamheid'], languages: ['nl'] },
    { title: 'Podcast maken in het jeugdhuis', provider: 'Jeugdhuis De Kelder vzw', place: 'Jeugdhuis De Kelder', schedule: 'Woensdag 15–17 u', cost: 'Gratis', audience: 'youth', themes: ['media', 'kunst-muziek'], languages: ['nl'] },
    { title: 'Budgetkoken met seizoensgroenten', provider: 'CVO Haspengouw', place: 'CVO Haspengouw, campus Tongeren', schedule: '6 avonden vanaf maart', cost: '€ 40', audience: 'adults', themes: ['koken-voeding', 'geld-administratie'], languages: ['nl'] },
  ],
  westhoek: [
    { title: 'Computerles voor beginners', provider: 'Bibliotheek Ieper', place: 'Bibliotheek Ieper', schedule: 'Woensdag 10–12 u', cost: 'Gratis', audience: 'seniors', themes: ['digitaal'], languages: ['nl'] },
    { title: 'Energie besparen in huis', provider: 'Dorpshuis Kemmel vzw', place: 'Dorpshuis Kemmel', schedule: 'Drie avonden in het najaar', cost: 'Gratis', audience: 'adults', themes: ['duurzaamheid', 'geld-administratie'], languages: ['nl', 'fr'] },
    { title: 'Hop en bier: van plant tot proeven', provider: 'Hopboerderij Hommelhof', place: 'Hopboerderij Hommelhof', schedule: 'Zaterdag in september', cost: '€ 15', audience: 'adults', themes: ['natuur-tuin', 'samenleving-erfgoed'], languages: ['nl', 'fr', 'en'] },
    { title: 'Frans voor op de markt', provider: 'CVO Westhoek', place: 'CVO Westhoek, campus Ieper', schedule: 'Dinsdag 19–21 u', cost: '€ 60 per semester', audience: 'adults', themes: ['talen'], languages: ['nl', 'fr'] },
    { title: 'Herstelcafé: textiel en kleine elektro', provider: 'Repair Café Ieper vzw', place: 'Cultuurcentrum Ieper', schedule: 'Derde zaterdag van de maand', cost: 'Vrije bijdrage', audience: 'all', themes: ['ambacht-maken', 'duurzaamheid'], languages: ['nl'] },
    { title: 'Schrijfatelier voor jongeren', provider: 'Jeugdhuis ’t Kapelleke vzw', place: 'Jeugdhuis ’t Kapelleke', schedule: 'Vrijdag 18–20 u', cost: 'Gratis', audience: 'youth', themes: ['lezen-schrijven-rekenen', 'kunst-muziek'], languages: ['nl'] },
  ],
}

const updates: Record<string, { body: string; theme: string | null; daysAgo: number; hidden?: boolean }[]> = {
  'zuid-limburg': [
    { body: 'Veel van jullie vroegen hulp met de smartphone. Vanaf deze maand is er elke dinsdag een Digitaal Café in de bib van Tongeren.', theme: 'digitaal', daysAgo: 20 },
    { body: 'Papieren en bankapps: het Sociaal Huis helpt nu ook op donderdagvoormiddag, zonder afspraak.', theme: 'geld-administratie', daysAgo: 9 },
    { body: 'Ontwerptekst: nog na te lezen door de partners.', theme: null, daysAgo: 2, hidden: true },
  ],
  westhoek: [
    { body: 'Duurzaam wonen kwam vaak terug in jullie antwoorden. Het Dorpshuis van Kemmel start drie avonden over energie besparen.', theme: 'duurzaamheid', daysAgo: 14 },
    { body: 'De computerles voor beginners in de bib van Ieper krijgt een tweede groep.', theme: 'digitaal', daysAgo: 5 },
    { body: 'Oude tekst over de zomerwerking: niet meer van toepassing.', theme: null, daysAgo: 40, hidden: true },
  ],
}

/** Invented people (surnames that say so), reachable only under a reserved example domain. */
const people = ['Ans Voorbeeld', 'Bram Proef', 'Chaima Fictief', 'Dirk Demo', 'Eva Verzonnen', 'Farid Voorbeeld', 'Greet Proef', 'Hamid Fictief', 'Ines Demo', 'Jonas Verzonnen', 'Kato Voorbeeld', 'Lucas Proef']

/**
 * The follow-up requests of each region: every state the queue shows, the claimed and
 * closed ones by the demo bridge figure. `attempts` are logged before the state is set.
 */
const requestPlan: { status: 'new' | 'claimed' | 'closed'; attempts: AttemptResult[]; outcome?: ContactOutcome; daysAgo: number }[] = [
  { status: 'new', attempts: [], daysAgo: 1 },
  { status: 'new', attempts: [], daysAgo: 3 },
  { status: 'new', attempts: [], daysAgo: 9 },
  { status: 'claimed', attempts: [], daysAgo: 4 },
  { status: 'claimed', attempts: ['no_answer', 'left_message'], daysAgo: 6 },
  { status: 'claimed', attempts: ['wrong_number'], daysAgo: 8 },
  { status: 'closed', attempts: ['reached'], outcome: 'referred', daysAgo: 12 },
  { status: 'closed', attempts: ['no_answer', 'reached'], outcome: 'referred', daysAgo: 15 },
  { status: 'closed', attempts: ['no_answer', 'no_answer', 'no_answer'], outcome: 'not_reachable', daysAgo: 18 },
]

export async function seedDemoExtras(db: Kysely<Database>, options: ExtrasOptions = {}): Promise<ExtrasSummary> {
  const now = options.now ?? new Date()
  const random = generator(options.seed ?? 20261128)
  const domain = options.domain ?? 'demo.leervraag.be'
  const summary: ExtrasSummary = { offers: 0, updates: 0, contactRequests: 0, approvedQuotes: 0, locationRequests: 0, pathSteps: 0, digestSubscriptions: 0 }
  const account = (role: string) => db.selectFrom('users').select('id').where('email', '=', `${role}@${domain}`).executeTakeFirst()
  const [coordinator, bridge, partnerMember] = await Promise.all([account('coordinator'), account('bridge'), account('partner')])
  if (!coordinator || !bridge) return summary
  const ago = (days: number, minutes = 0) => new Date(now.getTime() - days * dayMs - minutes * 60_000).toISOString()

  const regions = await db.selectFrom('regions').select(['id', 'slug', 'name', 'contact_max_age_days']).where('slug', 'in', Object.keys(offers)).orderBy('id').execute()
  for (const region of regions) {
    const themes = new Map((await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', region.id).execute()).map((theme) => [theme.slug, theme.id]))

    // Offers, by title.
    const offerIds: number[] = []
    for (const offer of offers[region.slug] ?? []) {
      const existing = await db.selectFrom('offers').select('id').where('region_id', '=', region.id).where('title', '=', offer.title).executeTakeFirst()
      if (existing) {
        offerIds.push(existing.id)
        continue
      }
      offerIds.push(
        await createOffer(db, region.id, {
          title: offer.title,
          provider: offer.provider,
          place: offer.place,
          schedule: offer.schedule,
          cost: offer.cost,
          languages: offer.languages,
          textLanguage: 'nl',
          audience: offer.audience,
          link: `https://${region.slug}.example/aanbod`,
          contact: `leren@${region.slug}.example`,
          themeIds: offer.themes.flatMap((slug) => (themes.has(slug) ? [themes.get(slug)!] : [])),
          archived: false,
        }),
      )
      summary.offers++
    }

    // Public updates, by their text.
    for (const update of updates[region.slug] ?? []) {
      const existing = await db.selectFrom('region_updates').select('id').where('region_id', '=', region.id).where('body', '=', update.body).executeTakeFirst()
      if (existing) continue
      const at = new Date(now.getTime() - update.daysAgo * dayMs)
      const id = await addRegionUpdate(db, { regionId: region.id, themeId: update.theme ? (themes.get(update.theme) ?? null) : null, body: update.body, userId: coordinator.id }, at)
      if (update.hidden) await setRegionUpdateHidden(db, region.id, id, true, at)
      summary.updates++
    }

    // Follow-up requests, when the region has none yet: on recent step-2 answers of adults.
    const hasRequests = await db.selectFrom('contact_requests').select('id').where('region_id', '=', region.id).limit(1).executeTakeFirst()
    if (!hasRequests) {
      const candidates = await db
        .selectFrom('responses')
        .innerJoin('activities', 'activities.id', 'responses.activity_id')
        .select(['responses.id', 'responses.created_at', 'responses.language'])
        .where('responses.region_id', '=', region.id)
        .where('responses.step', '=', 2)
        .where('activities.audience', 'in', ['adults', 'seniors', 'all'])
        .where((eb) => eb.or([eb('responses.age_band', 'is', null), eb('responses.age_band', 'not in', ['under_12', '12_17'])]))
        .where('responses.created_at', '>=', ago(30))
        .orderBy('responses.id')
        .execute()
      // Each request's age follows its plan: the newest answer at least that many days old.
      const pool = candidates.sort((x, y) => (x.created_at < y.created_at ? -1 : x.created_at > y.created_at ? 1 : x.id - y.id))
      const used = new Set<number>()
      const consent = consentText('nl', { regionName: region.name, maxAgeDays: region.contact_max_age_days })
      for (const [index, plan] of requestPlan.entries()) {
        const target = now.getTime() - plan.daysAgo * dayMs
        // (With few answers, the oldest one left: every state still gets its request.)
        const unused = pool.filter((row) => !used.has(row.id))
        const answer = unused.filter((row) => Date.parse(row.created_at) <= target).sort((x, y) => Date.parse(y.created_at) - Date.parse(x.created_at))[0] ?? unused[0]
        if (!answer) continue
        used.add(answer.id)
        const person = people[(index + (region.slug === 'westhoek' ? 5 : 0)) % people.length]!
        const createdAt = new Date(Math.min(Date.parse(answer.created_at) + 3 * 60_000, now.getTime() - 60_000)).toISOString()
        await upsertContactRequest(db, {
          response_id: answer.id,
          region_id: region.id,
          name: person,
          channel: 'email',
          contact_value: `${person.toLowerCase().replace(/ /g, '.')}@voorbeeld.example`,
          preferred_language: index % 4 === 3 ? 'fr' : 'nl',
          good_moment: (['any', 'morning', 'afternoon', 'evening'] as const)[index % 4]!,
          consent_version: consentVersion(consent),
          language: 'nl',
          created_at: createdAt,
          withdrawal_token_hash: null,
        })
        const request = await db.selectFrom('contact_requests').select('id').where('response_id', '=', answer.id).executeTakeFirstOrThrow()
        summary.contactRequests++
        if (plan.status === 'new') continue
        const claimedAt = new Date(Date.parse(createdAt) + dayMs).toISOString()
        let last = Date.parse(claimedAt)
        for (const result of plan.attempts) {
          last += 6 * 60 * 60 * 1000
          await db.insertInto('contact_attempts').values({ contact_request_id: request.id, user_id: bridge.id, at: new Date(Math.min(last, now.getTime() - 60_000)).toISOString(), result }).execute()
        }
        const closed = plan.status === 'closed'
        await db
          .updateTable('contact_requests')
          .set({
            status: plan.status,
            claimed_by: bridge.id,
            claimed_at: claimedAt,
            ...(closed
              ? { outcome: plan.outcome!, outcome_offer_id: plan.outcome === 'referred' ? (offerIds[index % Math.max(1, offerIds.length)] ?? null) : null, closed_at: new Date(Math.min(last + dayMs, now.getTime() - 60_000)).toISOString() }
              : {}),
          })
          .where('id', '=', request.id)
          .execute()
      }
    }

    // Learning paths, when the region has none yet: on the bridge figure's requests above.
    const hasSteps = await db
      .selectFrom('path_steps')
      .innerJoin('contact_requests', 'contact_requests.id', 'path_steps.contact_request_id')
      .select('path_steps.id')
      .where('contact_requests.region_id', '=', region.id)
      .limit(1)
      .executeTakeFirst()
    if (!hasSteps) summary.pathSteps += await seedPaths(db, region.id, bridge.id, offerIds, now)

    // The coordinator's subscription to the region's digest, when they have none for it.
    const hasSubscription = await db.selectFrom('digest_subscriptions').select('id').where('user_id', '=', coordinator.id).where('region_id', '=', region.id).limit(1).executeTakeFirst()
    if (!hasSubscription) {
      await db
        .insertInto('digest_subscriptions')
        .values({ user_id: coordinator.id, region_id: region.id, partner_id: null, scope_key: scopeKey(region.id, null), language: 'nl', created_at: now.toISOString() })
        .execute()
      summary.digestSubscriptions++
    }

    // Approved quotes, when the region has none: recent free texts, the rest left pending.
    const hasModeration = await db.selectFrom('response_moderation').select('response_id').where('region_id', '=', region.id).limit(1).executeTakeFirst()
    if (!hasModeration) {
      const texts = await db
        .selectFrom('responses')
        .select('id')
        .where('region_id', '=', region.id)
        .where('free_text', 'is not', null)
        .where('created_at', '>=', ago(25))
        .orderBy('id')
        .execute()
      for (const text of sample(random, texts, Math.min(8, Math.max(0, texts.length - 3)))) {
        if (await moderate(db, region.id, text.id, coordinator.id, { action: 'approve' }, now.toISOString())) summary.approvedQuotes++
      }
    }

    // One open location request, from the demo partner member's organisation (first region).
    const partnerId = partnerMember
      ? (await db.selectFrom('user_partners').innerJoin('partners', 'partners.id', 'user_partners.partner_id').select('partners.id').where('user_partners.user_id', '=', partnerMember.id).where('partners.region_id', '=', region.id).executeTakeFirst())?.id
      : undefined
    const hasLocationRequest = await db.selectFrom('location_requests').select('id').where('region_id', '=', region.id).limit(1).executeTakeFirst()
    if (partnerMember && partnerId !== undefined && !hasLocationRequest) {
      await createLocationRequest(
        db,
        { regionId: region.id, partnerId, requestedBy: partnerMember.id, name: 'Parochiezaal Sint-Jan', address: 'Kerkplein 2', municipality: 'Borgloon', note: 'Voor de leesclub in het voorjaar; de bib is dan verbouwd.' },
        ago(2),
      )
      summary.locationRequests++
    }
  }
  return summary
}

/** The paths' notes: what a bridge figure writes, naming no one. */
const pathNotes = {
  conversation: 'Kennismaking aan de telefoon: wil vooral oefenen met de smartphone.',
  referral: 'Doorverwezen; de aanbieder weet dat er iemand komt kijken.',
  trial: 'Proefles gevolgd, vond het fijn.',
  started: 'Is ingeschreven en de eerste keer geweest.',
  completed: 'Reeks afgerond, wil later verder.',
} as const

/**
 * Steps on the region's requests of the demo bridge figure, newest first: the first open one
 * is due today, the second is overdue and waits for "did they start?" after a referral, the
 * third was referred and started, and the newest closed referral went through a trial
 * session to completed. Each step is a day or more after the request, never after today.
 * Returns how many steps were added.
 */
async function seedPaths(db: Kysely<Database>, regionId: number, bridgeId: number, offerIds: readonly number[], now: Date): Promise<number> {
  const today = localDay(now.getTime())
  const requests = await db
    .selectFrom('contact_requests')
    .select(['id', 'status', 'created_at', 'outcome', 'outcome_offer_id'])
    .where('region_id', '=', regionId)
    .where('claimed_by', '=', bridgeId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
  const open = requests.filter((r) => r.status === 'claimed')
  const completed = requests.find((r) => r.status === 'closed' && r.outcome === 'referred')
  const offer = (i: number) => offerIds[i % Math.max(1, offerIds.length)] ?? null
  const plans: { request: (typeof requests)[number] | undefined; steps: [PathStepKind, number, number | null][]; next: string | null }[] = [
    { request: open[0], steps: [['conversation', 1, null]], next: today },
    { request: open[1], steps: [['conversation', 1, null], ['referral', 2, offer(0)]], next: addDays(today, -2) },
    { request: open[2], steps: [['referral', 1, offer(1)], ['started', 4, null]], next: addDays(today, 7) },
    { request: completed, steps: [['referral', 1, completed?.outcome_offer_id ?? offer(2)], ['trial', 3, null], ['completed', 6, null]], next: null },
  ]
  let added = 0
  for (const plan of plans) {
    if (!plan.request) continue
    const first = localDay(Date.parse(plan.request.created_at))
    for (const [kind, after, offerId] of plan.steps) {
      const onDay = [addDays(first, after), today].sort()[0]!
      await db
        .insertInto('path_steps')
        .values({ contact_request_id: plan.request.id, kind, on_day: onDay, offer_id: kind === 'referral' ? offerId : null, note: pathNotes[kind as keyof typeof pathNotes], recorded_by: bridgeId, recorded_at: new Date(Math.min(Date.parse(`${onDay}T10:00:00.000Z`), now.getTime() - 60_000)).toISOString(), record_key: newRecordKey() })
        .execute()
      added++
    }
    if (plan.request.status === 'claimed') await db.updateTable('contact_requests').set({ next_contact_on: plan.next }).where('id', '=', plan.request.id).execute()
    // The completed path closed with its last step, as recording it would have closed it.
    else await db.updateTable('contact_requests').set({ closed_at: new Date(Math.min(Date.parse(`${addDays(first, 6) < today ? addDays(first, 6) : today}T10:00:00.000Z`), now.getTime() - 60_000)).toISOString() }).where('id', '=', plan.request.id).execute()
  }
  return added
}
