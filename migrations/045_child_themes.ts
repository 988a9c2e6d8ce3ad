import type { Kysely } from 'kysely'

/**
 * Children's posters get their own themes (issue 19): a theme has an audience, 'general'
 * (every poster that is not for children, as all themes were until now) or 'children'
 * (only children's posters). Existing themes stay general, so adult posters do not change.
 *
 * Every existing region gets the default children's list, so that a children's poster that
 * is already hanging keeps offering themes (it would otherwise offer none, since it no
 * longer shows the general ones). The list is copied here as it shipped: a migration is
 * written once, and must not change when src/themes/default-child-themes.json does. A slug a
 * region already uses is left alone.
 */
const childThemes: { slug: string; icon: string; label: Record<string, string>; keywords: Record<string, string[]> }[] = [
  {"slug":"kinderen-bouwen-knutselen","icon":"🔨","label":{"nl":"Bouwen en knutselen","fr":"Construire et bricoler","en":"Building and crafts","ar":"البناء والأشغال اليدوية","tr":"Yapmak ve el işi","pl":"Budowanie i majsterkowanie","ro":"Construit și lucru manual","uk":"Будувати й майструвати","ti":"ምህናጽን ስራሕ ኢድን"},"keywords":{"nl":["bouwen","knutsel*","lego","timmer*","plakken","kleien","hut"],"fr":["construire","bricol*","lego","cabane","pâte à modeler"],"en":["build*","craft*","lego","glue","clay"],"ar":["بناء","ليغو","أشغال يدوية","تركيب","صلصال"],"tr":["lego","yapmak","el işi","oyun hamuru","inşa"],"pl":["budowa*","klocki","lego","majsterkowa*","plastelin*"],"ro":["construi*","lego","lucru manual","plastilină","cuburi"],"uk":["будува*","лего","майструва*","пластилін*","конструктор*"],"ti":["ምህናጽ"]}},
  {"slug":"kinderen-tekenen-schilderen","icon":"🎨","label":{"nl":"Tekenen en schilderen","fr":"Dessiner et peindre","en":"Drawing and painting","ar":"الرسم والتلوين","tr":"Resim ve boyama","pl":"Rysowanie i malowanie","ro":"Desen și pictură","uk":"Малювати й фарбувати","ti":"ስእልን ሕብርን"},"keywords":{"nl":["teken*","schilder*","kleuren","verf","krijt"],"fr":["dessin*","peindre","peinture","couleur*","crayon*"],"en":["draw*","paint*","colour*","color*","crayon*"],"ar":["رسم","الرسم","تلوين","ألوان"],"tr":["resim","çizim","boya*","renk*"],"pl":["rysowa*","malowa*","kredk*","farb*"],"ro":["desen*","pictur*","culori","creioane"],"uk":["малюва*","малюн*","фарб*","олів*"],"ti":["ስእሊ","ሕብሪ"]}},
  {"slug":"kinderen-muziek-dansen","icon":"🎵","label":{"nl":"Muziek en dansen","fr":"Musique et danse","en":"Music and dancing","ar":"الموسيقى والرقص","tr":"Müzik ve dans","pl":"Muzyka i taniec","ro":"Muzică și dans","uk":"Музика й танці","ti":"ሙዚቃን ሳዕስዒትን"},"keywords":{"nl":["muziek","zingen","dansen","dans","liedje*","trommel*","gitaar"],"fr":["musique","chant*","danse*","guitare","tambour"],"en":["music","sing*","danc*","song*","drum*","guitar"],"ar":["موسيقى","الموسيقى","غناء","رقص","أغنية","طبل"],"tr":["müzik*","şarkı*","dans*","davul","gitar"],"pl":["muzyk*","śpiew*","tańc*","taniec","piosenk*"],"ro":["muzic*","cânt*","dans*","tobă","chitară"],"uk":["музик*","співа*","танц*","пісн*","барабан*"],"ti":["ሙዚቃ","ሳዕስዒት"]}},
  {"slug":"kinderen-sport-spelen","icon":"⚽","label":{"nl":"Sport en spelen","fr":"Sport et jeux","en":"Sports and games","ar":"الرياضة واللعب","tr":"Spor ve oyun","pl":"Sport i zabawa","ro":"Sport și joacă","uk":"Спорт та ігри","ti":"ስፖርትን ጸወታን"},"keywords":{"nl":["sport*","voetbal","zwemmen","turnen","klimmen","fietsen","spelen","buiten spelen"],"fr":["sport*","foot*","nager","natation","grimper","vélo","jouer"],"en":["sport*","football","soccer","swim*","climb*","bike","play*"],"ar":["رياضة","الرياضة","كرة القدم","سباحة","تسلق","لعب"],"tr":["spor*","futbol","yüzme*","tırmanma*","bisiklet*","oyna*"],"pl":["sport*","piłk*","pływa*","wspina*","rower*","zabaw*"],"ro":["sport*","fotbal","înot","cățăra*","bicicletă","joacă"],"uk":["спорт*","футбол*","плава*","велосипед*","грати"],"ti":["ስፖርት","ኩዕሶ","ጸወታ"]}},
  {"slug":"kinderen-natuur-dieren","icon":"🐞","label":{"nl":"Natuur en dieren","fr":"Nature et animaux","en":"Nature and animals","ar":"الطبيعة والحيوانات","tr":"Doğa ve hayvanlar","pl":"Przyroda i zwierzęta","ro":"Natură și animale","uk":"Природа й тварини","ti":"ተፈጥሮን እንስሳን"},"keywords":{"nl":["natuur","dier*","bos","tuin*","planten","insect*","vogel*","paard*","hond*","kat"],"fr":["nature","anima*","forêt","jardin*","plante*","insecte*","oiseau*","chien*","chat"],"en":["nature","animal*","forest","garden*","plant*","insect*","bird*","dog*","horse*"],"ar":["طبيعة","الطبيعة","حيوان*","حيوانات","غابة","حديقة","نباتات","طيور"],"tr":["doğa","hayvan*","orman","bahçe*","bitki*","böcek*","kuş*","köpek*","kedi*"],"pl":["przyrod*","zwierz*","las","ogród*","rośli*","owad*","ptak*","pies","kot*"],"ro":["natur*","animal*","pădure","grădin*","plant*","insect*","păsări","câine*","pisic*"],"uk":["природ*","твари*","ліс*","сад*","рослин*","комах*","птах*","собак*"],"ti":["ተፈጥሮ","እንስሳ*"]}},
  {"slug":"kinderen-koken-bakken","icon":"🧁","label":{"nl":"Koken en bakken","fr":"Cuisiner et pâtisser","en":"Cooking and baking","ar":"الطبخ والخبز","tr":"Yemek ve pasta yapmak","pl":"Gotowanie i pieczenie","ro":"Gătit și copt","uk":"Готувати й пекти","ti":"ምኽሻንን ምስንካትን"},"keywords":{"nl":["koken","kook*","bakken","taart*","koekjes","pannenkoek*","soep"],"fr":["cuisin*","pâtisser*","gâteau*","biscuit*","crêpe*"],"en":["cook*","bak*","cake*","biscuit*","pancake*"],"ar":["طبخ","الطبخ","خبز","كعك","كعكة","حلويات"],"tr":["yemek*","pasta*","kurabiye*","kek","pişir*"],"pl":["gotowa*","piec","pieczeni*","ciast*","naleśnik*"],"ro":["gătit","găti*","copt","prăjitur*","clătite","tort"],"uk":["готува*","пекти","печив*","торт*","млин*"],"ti":["ምግቢ","ምስንካት"]}},
  {"slug":"kinderen-computers-robots","icon":"🤖","label":{"nl":"Computers en robots","fr":"Ordinateurs et robots","en":"Computers and robots","ar":"الحاسوب والروبوتات","tr":"Bilgisayar ve robotlar","pl":"Komputery i roboty","ro":"Calculatoare și roboți","uk":"Комп’ютери й роботи","ti":"ኮምፒዩተርን ሮቦትን"},"keywords":{"nl":["computer*","robot*","programmeren","coderen","code","game*","tablet","minecraft","scratch"],"fr":["ordinateur*","robot*","programm*","coder","jeu vidéo","jeux vidéo","tablette","minecraft"],"en":["computer*","robot*","coding","programming","game*","tablet","minecraft"],"ar":["كمبيوتر","حاسوب","روبوت*","برمجة","ألعاب الفيديو","تابلت"],"tr":["bilgisayar*","robot*","kodlama","programlama","video oyunu","tablet","minecraft"],"pl":["komputer*","robot*","programowa*","kodowa*","gry komputerowe","tablet*"],"ro":["calculator*","robot*","programare","jocuri video","tabletă"],"uk":["комп'ютер*","комп’ютер*","робот*","програмува*","планшет*"],"ti":["ኮምፒዩተር*","ሮቦት*"]}},
  {"slug":"kinderen-lezen-verhalen","icon":"📚","label":{"nl":"Lezen en verhalen","fr":"Lecture et histoires","en":"Reading and stories","ar":"القراءة والقصص","tr":"Okuma ve hikâyeler","pl":"Czytanie i bajki","ro":"Citit și povești","uk":"Читання й казки","ti":"ንባብን ዛንታታትን"},"keywords":{"nl":["lezen","boek*","verhaal","verhalen","strip*","bib"],"fr":["lire","lecture","livre*","histoire*","conte*"],"en":["read*","book*","stor*","comic*","librar*"],"ar":["قراءة","القراءة","كتاب","كتب","قصة","قصص"],"tr":["okuma*","kitap*","hikaye*","hikâye*","masal*"],"pl":["czyta*","książk*","bajk*","opowiad*","komiks*"],"ro":["citi*","carte","cărți","povest*","benzi desenate"],"uk":["чита*","книж*","книг*","казк*","історі*"],"ti":["ንባብ","መጽሓፍ*","ዛንታ"]}},
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('themes').addColumn('audience', 'varchar(10)', (col) => col.notNull().defaultTo('general')).execute()
  const regions: { id: number }[] = await db.selectFrom('regions').select('id').execute()
  const now = new Date().toISOString()
  for (const region of regions) {
    await db
      .insertInto('themes')
      .values(
        childThemes.map((theme, index) => ({
          region_id: region.id,
          slug: theme.slug,
          icon: theme.icon,
          labels: JSON.stringify(theme.label),
          keywords: JSON.stringify(theme.keywords),
          position: 100 + index,
          hidden: 0,
          created_at: now,
          audience: 'children',
        })),
      )
      .onConflict((oc) => oc.columns(['region_id', 'slug']).doNothing())
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('themes').where('audience', '=', 'children').execute()
  await db.schema.alterTable('themes').dropColumn('audience').execute()
}
