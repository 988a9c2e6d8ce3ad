import type { Audience, PosterStatus } from '../src/db/types.ts'

/**
 * The invented world of the demo: two Flemish learning ecosystems with partners,
 * locations, activities, and the kind of things people write. Organisation names are
 * generic or made up; addresses are plausible street names, not claims about anyone;
 * no text contains a name, a phone number or anything else that points to a person.
 */

export interface DemoLocation {
  name: string
  address: string
  municipality: string
  latitude: number
  longitude: number
}

export interface DemoActivity {
  partner: string
  title: string
  description: string
  audience: Audience
  /** Location names; one poster per location. */
  locations: string[]
  /** Local time of the session: 0 = Sunday … 6 = Saturday. */
  weekday: number
  hour: number
  /** A session every n weeks. */
  every: 1 | 2 | 4
  /** Relative number of answers per session. */
  perSession: number
  /** Months (1–12) in which the activity runs; all year when absent. */
  months?: number[]
  /** Theme slug → how often people at this activity pick it. */
  themes: Record<string, number>
  status?: PosterStatus
}

export interface DemoRegion {
  slug: string
  name: string
  contactLine: string
  /** Share of answers per interface language. */
  languages: Record<'nl' | 'fr' | 'en', number>
  /** Theme slug → factor reached by the end of the period: > 1 grows (emerging), < 1 fades. */
  trends: Record<string, number>
  partners: { name: string; kind: string }[]
  locations: DemoLocation[]
  activities: DemoActivity[]
}

export const demoRegions: DemoRegion[] = [
  {
    slug: 'zuid-limburg',
    name: 'Leerecosysteem Zuid-Limburg',
    contactLine: 'Wil je verder leren? Vraag naar de brugfiguur aan de balie van de bib, of mail naar leren@zuid-limburg.example.',
    languages: { nl: 0.88, fr: 0.06, en: 0.06 },
    trends: { digitaal: 4, 'geld-administratie': 3.5, 'natuur-tuin': 0.5 },
    partners: [
      { name: 'Bibliotheek Tongeren', kind: 'library' },
      { name: 'Bibliotheek Borgloon', kind: 'library' },
      { name: 'Cultuurcentrum Tongeren', kind: 'culture_centre' },
      { name: 'Gemeenschapscentrum Riemst', kind: 'community_centre' },
      { name: 'Jeugdhuis De Kelder vzw', kind: 'youth_work' },
      { name: 'CVO Haspengouw', kind: 'adult_education' },
      { name: 'Centrum voor Basiseducatie Zuid-Limburg', kind: 'basic_education' },
      { name: 'Sociaal Huis Tongeren', kind: 'social_services' },
      { name: 'Fruitbedrijf Vanhees', kind: 'employer' },
      { name: 'Repair Café Borgloon vzw', kind: 'civil_society' },
    ],
    locations: [
      { name: 'Bibliotheek Tongeren', address: 'Elisabethwal 12, 3700 Tongeren', municipality: 'Tongeren', latitude: 50.7806, longitude: 5.464 },
      { name: 'Cultuurcentrum Tongeren', address: 'Dijk 111, 3700 Tongeren', municipality: 'Tongeren', latitude: 50.7795, longitude: 5.47 },
      { name: 'Sociaal Huis Tongeren', address: 'Verloren Kost 5, 3700 Tongeren', municipality: 'Tongeren', latitude: 50.783, longitude: 5.4615 },
      { name: 'CVO Haspengouw, campus Tongeren', address: 'Kastanjewal 60, 3700 Tongeren', municipality: 'Tongeren', latitude: 50.785, longitude: 5.469 },
      { name: 'Bibliotheek Borgloon', address: 'Speelhof 4, 3840 Borgloon', municipality: 'Borgloon', latitude: 50.8035, longitude: 5.344 },
      { name: 'Jeugdhuis De Kelder', address: 'Kasteelstraat 7, 3840 Borgloon', municipality: 'Borgloon', latitude: 50.802, longitude: 5.342 },
      { name: 'Gemeenschapscentrum Riemst', address: 'Maastrichtersteenweg 220, 3770 Riemst', municipality: 'Riemst', latitude: 50.8095, longitude: 5.6004 },
      { name: 'Fruitbedrijf Vanhees', address: 'Kerkstraat 45, 3870 Heers', municipality: 'Heers', latitude: 50.7536, longitude: 5.3025 },
      { name: 'Ontmoetingscentrum De Voerstreek', address: 'Kinkenberg 3, 3798 Voeren', municipality: 'Voeren', latitude: 50.7603, longitude: 5.7617 },
    ],
    activities: [
      {
        partner: 'Repair Café Borgloon vzw',
        title: 'Repair Café: samen herstellen',
        description: 'Breng je kapotte broodrooster, fiets of jas mee en herstel hem samen met een vrijwilliger.',
        audience: 'all',
        locations: ['Bibliotheek Borgloon'],
        weekday: 6,
        hour: 10,
        every: 4,
        perSession: 3.2,
        themes: { 'ambacht-maken': 5, duurzaamheid: 3, 'wetenschap-techniek': 2, digitaal: 1 },
      },
      {
        partner: 'Bibliotheek Tongeren',
        title: 'Taalcafé Nederlands',
        description: 'Nederlands oefenen in een babbel bij een kop koffie, op je eigen tempo.',
        audience: 'adults',
        locations: ['Bibliotheek Tongeren'],
        weekday: 2,
        hour: 14,
        every: 1,
        perSession: 1.1,
        themes: { talen: 6, 'werk-ondernemen': 2, 'lezen-schrijven-rekenen': 2, 'samenleving-erfgoed': 1 },
      },
      {
        partner: 'Bibliotheek Tongeren',
        title: 'Digidokter: hulp met je smartphone',
        description: 'Vragen over je gsm, tablet of laptop? Vrijwilligers helpen je op weg.',
        audience: 'seniors',
        locations: ['Bibliotheek Tongeren', 'Sociaal Huis Tongeren'],
        weekday: 4,
        hour: 10,
        every: 1,
        perSession: 1.0,
        themes: { digitaal: 6, 'geld-administratie': 2, 'persoonlijke-ontwikkeling': 1 },
      },
      {
        partner: 'Bibliotheek Borgloon',
        title: 'CoderDojo voor kinderen',
        description: 'Kinderen van 7 tot 12 leren programmeren met Scratch en kleine robots.',
        audience: 'children',
        locations: ['Bibliotheek Borgloon'],
        weekday: 6,
        hour: 14,
        every: 2,
        perSession: 1.6,
        themes: { 'kinderen-computers-robots': 7, 'kinderen-bouwen-knutselen': 3, 'kinderen-tekenen-schilderen': 1 },
      },
      {
        partner: 'Cultuurcentrum Tongeren',
        title: 'Kookatelier met seizoensgroenten',
        description: 'Samen koken met groenten van bij ons, en daarna samen aan tafel.',
        audience: 'adults',
        locations: ['Cultuurcentrum Tongeren'],
        weekday: 3,
        hour: 19,
        every: 2,
        perSession: 1.3,
        themes: { 'koken-voeding': 6, 'natuur-tuin': 2, duurzaamheid: 2, talen: 1 },
      },
      {
        partner: 'Fruitbedrijf Vanhees',
        title: 'Fruitsnoei in de hoogstamboomgaard',
        description: 'Een fruitteler toont hoe je appel- en perenbomen snoeit; ook voor wie graag in de fruitteelt werkt.',
        audience: 'adults',
        locations: ['Fruitbedrijf Vanhees'],
        weekday: 6,
        hour: 9,
        every: 4,
        perSession: 2.0,
        themes: { 'natuur-tuin': 6, 'werk-ondernemen': 3, duurzaamheid: 1 },
      },
      {
        partner: 'Jeugdhuis De Kelder vzw',
        title: 'Podcast maken in het jeugdhuis',
        description: 'Microfoon aan: maak je eigen podcast over wat jou bezighoudt.',
        audience: 'youth',
        locations: ['Jeugdhuis De Kelder'],
        weekday: 5,
        hour: 19,
        every: 1,
        perSession: 0.8,
        themes: { media: 6, 'kunst-muziek': 3, digitaal: 3, 'persoonlijke-ontwikkeling': 2 },
      },
      {
        partner: 'Gemeenschapscentrum Riemst',
        title: 'Naaicafé: kleren herstellen en aanpassen',
        description: 'Een zoom, een rits of een gat: leer het zelf met de naaimachine.',
        audience: 'all',
        locations: ['Gemeenschapscentrum Riemst'],
        weekday: 1,
        hour: 13,
        every: 1,
        perSession: 0.9,
        themes: { 'ambacht-maken': 6, duurzaamheid: 2, 'kunst-muziek': 1 },
      },
      {
        partner: 'Centrum voor Basiseducatie Zuid-Limburg',
        title: 'Infomoment lezen, schrijven en rekenen',
        description: 'Wil je beter lezen, schrijven of rekenen? Kom vrijblijvend kennismaken.',
        audience: 'adults',
        locations: ['Sociaal Huis Tongeren', 'Bibliotheek Tongeren'],
        weekday: 1,
        hour: 10,
        every: 2,
        perSession: 0.8,
        themes: { 'lezen-schrijven-rekenen': 6, talen: 3, digitaal: 2, 'geld-administratie': 2 },
      },
      {
        partner: 'Sociaal Huis Tongeren',
        title: 'Budgetcafé: grip op je facturen',
        description: 'Samen je energiefactuur, premies en papieren bekijken, zonder oordeel.',
        audience: 'adults',
        locations: ['Sociaal Huis Tongeren'],
        weekday: 4,
        hour: 14,
        every: 2,
        perSession: 1.0,
        themes: { 'geld-administratie': 6, digitaal: 2, 'werk-ondernemen': 1 },
      },
      {
        partner: 'Gemeenschapscentrum Riemst',
        title: 'Verhalenwandeling door de Voerstreek',
        description: 'Een rustige wandeling met verhalen over de streek, de taal en de mensen.',
        audience: 'seniors',
        locations: ['Ontmoetingscentrum De Voerstreek'],
        weekday: 0,
        hour: 14,
        every: 4,
        perSession: 2.0,
        themes: { 'samenleving-erfgoed': 6, 'natuur-tuin': 3, 'sport-bewegen': 2, talen: 1 },
      },
      {
        partner: 'Cultuurcentrum Tongeren',
        title: 'Knutselnamiddag in de vakantie',
        description: 'Knippen, plakken, boetseren en schilderen tijdens de schoolvakantie.',
        audience: 'children',
        locations: ['Cultuurcentrum Tongeren'],
        weekday: 3,
        hour: 14,
        every: 1,
        perSession: 2.2,
        months: [7, 8],
        themes: { 'kinderen-bouwen-knutselen': 6, 'kinderen-tekenen-schilderen': 4, 'kinderen-natuur-dieren': 2 },
        status: 'paused',
      },
      {
        partner: 'CVO Haspengouw',
        title: 'Sollicitatietraining voor jongeren',
        description: 'Je cv opmaken en een sollicitatiegesprek oefenen, met tips van werkgevers uit de buurt.',
        audience: 'youth',
        locations: ['CVO Haspengouw, campus Tongeren', 'Jeugdhuis De Kelder'],
        weekday: 3,
        hour: 16,
        every: 2,
        perSession: 0.9,
        themes: { 'werk-ondernemen': 6, 'persoonlijke-ontwikkeling': 3, digitaal: 2, talen: 1 },
      },
    ],
  },
  {
    slug: 'westhoek',
    name: 'Leerecosysteem Westhoek',
    contactLine: 'Wil je verder leren? De brugfiguur helpt je graag: vraag ernaar aan de balie van de bib, of mail naar leren@westhoek.example.',
    languages: { nl: 0.84, fr: 0.11, en: 0.05 },
    trends: { duurzaamheid: 4.5, talen: 2.5, 'sport-bewegen': 0.6 },
    partners: [
      { name: 'Bibliotheek Ieper', kind: 'library' },
      { name: 'Bibliotheek Poperinge', kind: 'library' },
      { name: 'Cultuurcentrum Ieper', kind: 'culture_centre' },
      { name: 'Dorpshuis Kemmel vzw', kind: 'community_centre' },
      { name: 'Jeugdhuis ’t Kapelleke vzw', kind: 'youth_work' },
      { name: 'CVO Westhoek', kind: 'adult_education' },
      { name: 'Centrum voor Basiseducatie Westhoek', kind: 'basic_education' },
      { name: 'Sociaal Huis Ieper', kind: 'social_services' },
      { name: 'Hopboerderij Hommelhof', kind: 'employer' },
      { name: 'Repair Café Ieper vzw', kind: 'civil_society' },
    ],
    locations: [
      { name: 'Bibliotheek Ieper', address: 'Weverijstraat 5, 8900 Ieper', municipality: 'Ieper', latitude: 50.8495, longitude: 2.88 },
      { name: 'Cultuurcentrum Ieper', address: 'Fochlaan 1, 8900 Ieper', municipality: 'Ieper', latitude: 50.852, longitude: 2.887 },
      { name: 'Sociaal Huis Ieper', address: 'Zonnebeekseweg 1, 8900 Ieper', municipality: 'Ieper', latitude: 50.851, longitude: 2.893 },
      { name: 'CVO Westhoek, campus Ieper', address: 'Meensesteenweg 140, 8900 Ieper', municipality: 'Ieper', latitude: 50.844, longitude: 2.9 },
      { name: 'Bibliotheek Poperinge', address: 'Oude Kasteelstraat 4, 8970 Poperinge', municipality: 'Poperinge', latitude: 50.8553, longitude: 2.7261 },
      { name: 'Jeugdhuis ’t Kapelleke', address: 'Casselstraat 28, 8970 Poperinge', municipality: 'Poperinge', latitude: 50.853, longitude: 2.72 },
      { name: 'Hopboerderij Hommelhof', address: 'Watouplein 2, 8978 Poperinge', municipality: 'Poperinge', latitude: 50.858, longitude: 2.621 },
      { name: 'Dorpshuis Kemmel', address: 'Dikkebusstraat 10, 8956 Heuvelland', municipality: 'Heuvelland', latitude: 50.7842, longitude: 2.8283 },
      { name: 'Ontmoetingscentrum Zonnebeke', address: 'Ieperstraat 15, 8980 Zonnebeke', municipality: 'Zonnebeke', latitude: 50.8722, longitude: 2.9869 },
    ],
    activities: [
      {
        partner: 'Repair Café Ieper vzw',
        title: 'Repair Café Ieper',
        description: 'Herstellen in plaats van weggooien: elektro, textiel, fietsen en speelgoed.',
        audience: 'all',
        locations: ['Cultuurcentrum Ieper'],
        weekday: 6,
        hour: 10,
        every: 4,
        perSession: 3.0,
        themes: { 'ambacht-maken': 5, duurzaamheid: 4, 'wetenschap-techniek': 2 },
      },
      {
        partner: 'CVO Westhoek',
        title: 'Frans voor beginners: praten aan de toog',
        description: 'Eenvoudig Frans om te praten met klanten, collega’s en buren over de grens.',
        audience: 'adults',
        locations: ['CVO Westhoek, campus Ieper'],
        weekday: 2,
        hour: 19,
        every: 1,
        perSession: 1.0,
        themes: { talen: 7, 'werk-ondernemen': 2 },
      },
      {
        partner: 'Bibliotheek Poperinge',
        title: 'Digitaal loket: itsme, e-mail en e-loket',
        description: 'Hulp bij itsme, je mailbox en de digitale loketten van de overheid.',
        audience: 'seniors',
        locations: ['Bibliotheek Poperinge', 'Sociaal Huis Ieper'],
        weekday: 5,
        hour: 10,
        every: 1,
        perSession: 1.0,
        themes: { digitaal: 6, 'geld-administratie': 3 },
      },
      {
        partner: 'Bibliotheek Ieper',
        title: 'Robotjes bouwen voor kinderen',
        description: 'Bouw en programmeer je eigen robotje, voor kinderen van 8 tot 12.',
        audience: 'children',
        locations: ['Bibliotheek Ieper'],
        weekday: 3,
        hour: 14,
        every: 1,
        perSession: 1.2,
        themes: { 'kinderen-computers-robots': 6, 'kinderen-bouwen-knutselen': 4 },
      },
      {
        partner: 'Hopboerderij Hommelhof',
        title: 'Hopplukdag: oogsten en brouwen',
        description: 'Help mee met de hopoogst en ontdek hoe bier gebrouwen wordt; er is seizoenswerk te vinden.',
        audience: 'adults',
        locations: ['Hopboerderij Hommelhof'],
        weekday: 6,
        hour: 10,
        every: 1,
        perSession: 2.4,
        months: [8, 9],
        themes: { 'natuur-tuin': 5, 'werk-ondernemen': 3, 'koken-voeding': 3, 'samenleving-erfgoed': 1 },
      },
      {
        partner: 'Jeugdhuis ’t Kapelleke vzw',
        title: 'DJ- en muziekworkshop',
        description: 'Leer mixen, beats maken en samen muziek spelen.',
        audience: 'youth',
        locations: ['Jeugdhuis ’t Kapelleke'],
        weekday: 5,
        hour: 20,
        every: 1,
        perSession: 0.9,
        themes: { 'kunst-muziek': 6, media: 3, digitaal: 2 },
      },
      {
        partner: 'Dorpshuis Kemmel vzw',
        title: 'Samen moestuinieren in de dorpstuin',
        description: 'Zaaien, wieden en oogsten in de gedeelde moestuin van het dorp.',
        audience: 'all',
        locations: ['Dorpshuis Kemmel'],
        weekday: 6,
        hour: 10,
        every: 1,
        perSession: 0.9,
        months: [5, 6, 7, 8, 9, 10],
        themes: { 'natuur-tuin': 6, duurzaamheid: 3, 'koken-voeding': 2 },
      },
      {
        partner: 'Centrum voor Basiseducatie Westhoek',
        title: 'Leesclub makkelijk lezen',
        description: 'Samen een makkelijk boek lezen en erover praten.',
        audience: 'adults',
        locations: ['Bibliotheek Poperinge', 'Bibliotheek Ieper'],
        weekday: 4,
        hour: 14,
        every: 2,
        perSession: 0.8,
        themes: { 'lezen-schrijven-rekenen': 6, talen: 4 },
      },
      {
        partner: 'Cultuurcentrum Ieper',
        title: 'Erfgoedwandeling langs de frontlijn',
        description: 'Een wandeling met gids langs de sporen van de Eerste Wereldoorlog.',
        audience: 'seniors',
        locations: ['Ontmoetingscentrum Zonnebeke'],
        weekday: 0,
        hour: 14,
        every: 2,
        perSession: 1.6,
        themes: { 'samenleving-erfgoed': 7, 'natuur-tuin': 2, 'sport-bewegen': 2 },
      },
      {
        partner: 'Repair Café Ieper vzw',
        title: 'Fietsherstelatelier voor jongeren',
        description: 'Een lekke band, remmen of versnellingen: leer je fiets zelf herstellen.',
        audience: 'youth',
        locations: ['Jeugdhuis ’t Kapelleke', 'Cultuurcentrum Ieper'],
        weekday: 3,
        hour: 15,
        every: 2,
        perSession: 0.8,
        themes: { 'ambacht-maken': 5, 'sport-bewegen': 3, 'werk-ondernemen': 2, duurzaamheid: 2 },
      },
      {
        partner: 'Sociaal Huis Ieper',
        title: 'Koken met restjes',
        description: 'Lekker en goedkoop koken met wat er nog in de koelkast ligt.',
        audience: 'adults',
        locations: ['Sociaal Huis Ieper'],
        weekday: 2,
        hour: 10,
        every: 2,
        perSession: 1.0,
        themes: { 'koken-voeding': 6, 'geld-administratie': 3, duurzaamheid: 3 },
      },
      {
        partner: 'Bibliotheek Poperinge',
        title: 'Voorleesuurtje met knutselen',
        description: 'Een verhaal voorgelezen krijgen en er daarna iets rond knutselen.',
        audience: 'children',
        locations: ['Bibliotheek Poperinge'],
        weekday: 3,
        hour: 15,
        every: 1,
        perSession: 1.0,
        themes: { 'kinderen-lezen-verhalen': 6, 'kinderen-bouwen-knutselen': 3, 'kinderen-tekenen-schilderen': 2 },
      },
    ],
  },
]

/**
 * What people write in the free-text box, per theme and language. An entry with `after`
 * only appears in the later part of the period (0–1): the words of an emerging need.
 */
export type DemoText = string | { text: string; after: number }

export const freeTexts: Record<string, Partial<Record<'nl' | 'fr' | 'en', DemoText[]>>> = {
  talen: {
    nl: [
      'Beter Nederlands spreken, vooral aan de telefoon',
      'ik wil frans leren om met de buren te praten',
      'Meer woordenschat voor mijn werk',
      'Een conversatietafel Engels zou leuk zijn',
      'Nederlands schrijven, mails en brieven',
      'Spaans voor op reis',
      { text: 'Frans leren voor een job over de grens', after: 0.5 },
      { text: 'Is er een taalcafé Frans op zaterdag?', after: 0.6 },
    ],
    fr: ['Apprendre le néerlandais pour mon travail', 'Parler mieux le néerlandais avec les voisins', 'Un cours de conversation en néerlandais le soir'],
    en: ['Learn Dutch so I can talk to my colleagues', 'A Dutch conversation group for beginners', 'Improve my Dutch pronunciation'],
  },
  'lezen-schrijven-rekenen': {
    nl: [
      'Beter lezen zodat ik mijn kleinkinderen kan voorlezen',
      'Spelling! Ik maak nog veel fouten',
      'rekenen met procenten en korting',
      'Een makkelijk boek uitlezen',
      'formulieren kunnen lezen zonder hulp',
    ],
    fr: ['Mieux écrire en néerlandais', 'Lire des livres faciles en néerlandais'],
    en: ['Read easy books in Dutch'],
  },
  digitaal: {
    nl: [
      'Hoe werkt itsme op mijn nieuwe gsm?',
      'Foto’s van mijn smartphone op de computer zetten',
      'Veilig internetbankieren',
      'Werken met Excel voor de vereniging',
      'Mijn mails beter ordenen',
      'leren programmeren, misschien een website maken',
      'Valse berichten en phishing herkennen',
      { text: 'Wat is AI en hoe gebruik ik ChatGPT veilig?', after: 0.45 },
      { text: 'Uitleg over artificiële intelligentie, iedereen spreekt erover', after: 0.55 },
      { text: 'Videobellen met de familie via de tablet', after: 0.3 },
      { text: 'Hoe herken ik een nepbericht dat met AI gemaakt is?', after: 0.65 },
    ],
    fr: ['Utiliser itsme sur mon smartphone', 'Apprendre à utiliser un ordinateur', { text: "Comprendre l'intelligence artificielle", after: 0.5 }],
    en: ['Learn to code in Python', 'How to use the government apps (itsme)', { text: 'Use AI tools for my job search', after: 0.5 }],
  },
  'persoonlijke-ontwikkeling': {
    nl: ['Meer zelfvertrouwen om in een groep te spreken', 'Omgaan met stress', 'Mijn week beter plannen', 'Ontdekken waar mijn talent ligt'],
    en: ['Public speaking without panicking'],
  },
  'kunst-muziek': {
    nl: ['Gitaar leren spelen', 'tekenen en schilderen met aquarel', 'Zingen in een koor', 'Zelf beats maken', 'Beter fotograferen met mijn gsm', 'Theater spelen'],
    fr: ['Apprendre la guitare', 'Faire de la peinture'],
    en: ['Learn to DJ properly', 'Photography for beginners'],
  },
  'ambacht-maken': {
    nl: [
      'Zelf kleren herstellen met de naaimachine',
      'Breien, dat deed mijn oma ook',
      'Meer leren over elektrische toestellen herstellen',
      'Houtbewerking, een kastje maken',
      'Mijn fiets zelf onderhouden',
      'solderen!',
      'Nog eens komen herstellen, dat was tof',
    ],
    fr: ['Réparer mes vêtements moi-même', 'Apprendre à coudre'],
    en: ['Learn to repair small electronics', 'Sewing basics'],
  },
  media: {
    nl: ['Een eigen podcast opnemen', 'Video’s monteren voor youtube', 'Hoe werkt nieuws maken?', 'Beter filmen met mijn gsm'],
    en: ['Editing videos for social media'],
  },
  'natuur-tuin': {
    nl: ['Een moestuin beginnen op mijn terras', 'Fruitbomen snoeien', 'Meer weten over bijen en imkeren', 'Welke planten passen in een kleine tuin', 'Kippen houden in de tuin'],
    fr: ['Commencer un potager', 'Tailler les arbres fruitiers'],
    en: ['Start a vegetable garden'],
  },
  'koken-voeding': {
    nl: ['Gezond koken met weinig geld', 'Brood bakken', 'Vegetarische recepten', 'Koken voor één persoon', 'Taarten bakken voor een feestje'],
    fr: ['Cuisiner sain avec un petit budget', 'Faire du pain'],
    en: ['Cheap healthy recipes', 'Learn Belgian recipes'],
  },
  'sport-bewegen': {
    nl: ['Yoga voor beginners', 'Weer beginnen met lopen', 'Petanque in de buurt', 'Zwemmen leren als volwassene'],
    fr: ['Faire du yoga'],
  },
  'zorg-opvoeding': {
    nl: ['Een cursus EHBO', 'Omgaan met dementie bij mijn moeder', 'Opvoeding van pubers', 'Reanimatie leren'],
    fr: ['Un cours de premiers secours'],
  },
  'geld-administratie': {
    nl: [
      'Mijn papieren op orde krijgen',
      'Belastingbrief invullen',
      'Sparen en budget bijhouden',
      'Welke premies kan ik krijgen?',
      { text: 'Mijn energiefactuur begrijpen, die is veel hoger', after: 0.45 },
      { text: 'Hulp met het energiecontract vergelijken', after: 0.55 },
      { text: 'Hoe betaal ik mijn facturen digitaal zonder fouten?', after: 0.4 },
    ],
    fr: ['Comprendre ma facture d’énergie', 'Remplir la déclaration d’impôts'],
    en: ['Understand my energy bill', 'Belgian taxes for beginners'],
  },
  'werk-ondernemen': {
    nl: [
      'Een goede cv maken',
      'Oefenen voor een sollicitatiegesprek',
      'Rijbewijs halen',
      'Een heftruckattest behalen',
      'Seizoenswerk in de fruitteelt',
      'Zelf een zaak beginnen',
      'Een opleiding met diploma, maar ’s avonds',
    ],
    fr: ['Trouver un travail en Flandre', 'Faire mon CV'],
    en: ['Find a job where English is okay', 'Get my diploma recognised'],
  },
  'samenleving-erfgoed': {
    nl: ['Meer over de geschiedenis van de streek', 'Vrijwilliger worden in de buurt', 'Mijn stamboom uitzoeken', 'Hoe werkt de gemeente?', 'Verhalen van de Groote Oorlog'],
    fr: ['Connaître l’histoire de la région'],
    en: ['Local history of the First World War', 'Volunteering in my neighbourhood'],
  },
  'wetenschap-techniek': {
    nl: ['Proefjes doen met elektriciteit', 'Hoe werkt een zonnepaneel eigenlijk?', 'Sterren kijken met een telescoop', 'Elektronica en Arduino'],
    en: ['Electronics with Arduino'],
  },
  duurzaamheid: {
    nl: [
      'Minder afval in huis',
      'Composteren in een kleine tuin',
      'Spullen hergebruiken in plaats van kopen',
      { text: 'Hoe isoleer ik mijn dak zelf?', after: 0.4 },
      { text: 'Zonnepanelen of een warmtepomp, wat loont?', after: 0.5 },
      { text: 'Energie besparen in een oud huis', after: 0.5 },
      { text: 'Renoveren met premies, waar begin ik?', after: 0.6 },
    ],
    fr: ['Économiser de l’énergie à la maison', { text: 'Isoler ma maison', after: 0.5 }],
    en: ['Reduce waste at home', { text: 'Make my old house more energy efficient', after: 0.5 }],
  },
}

/** Free text for no theme in particular, or from children. */
export const generalTexts: Record<'nl' | 'fr' | 'en' | 'children', string[]> = {
  nl: [
    'Het was heel leuk, bedankt aan de vrijwilligers!',
    'Graag vaker op zaterdag',
    'Ik weet nog niet goed wat, maar ik wil iets nieuws leren',
    'Meer van dit soort activiteiten in het dorp aub',
    'Leuke sfeer, ik kom zeker terug',
    'Iets ’s avonds, overdag moet ik werken',
    'Samen met mijn kinderen iets leren',
  ],
  fr: ['Très sympa, merci !', 'Plus d’activités le week-end svp', 'Je voudrais apprendre quelque chose de nouveau'],
  en: ['Great atmosphere, thank you!', 'More activities in the evening please', 'I would like to learn something new, not sure what yet'],
  children: [
    'robots maken!!',
    'ik wil een echte game maken',
    'nog eens knutselen met klei',
    'tekenen zoals een echte kunstenaar',
    'proefjes met vulkanen',
    'leren toveren',
    'een boek over dinosaurussen lezen',
    'dansen',
  ],
}

/** Small additions people make, so that the same wish does not always read the same. */
export const textTails: Record<'nl' | 'fr' | 'en', string[]> = {
  nl: [' Liefst op zaterdag.', ' Graag in de buurt.', ' Kan dat hier ook?', ' Op mijn tempo.', ' ’s Avonds past het best.'],
  fr: [' De préférence le samedi.', ' Près de chez moi si possible.'],
  en: [' Preferably in the evening.', ' Close to home if possible.'],
}
