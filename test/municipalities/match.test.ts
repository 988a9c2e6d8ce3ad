import t from 'tap'
import { findMunicipality, matchMunicipality, municipalityOfPlace } from '../../src/municipalities/index.ts'

/**
 * Matching free text to the shipped list (src/municipalities/data): names as people type
 * them, postal codes from the tables of data/README.md (West- and Oost-Vlaanderen included),
 * and an offer's place text (the planning page's supply per municipality).
 */

const nisOf = (name: string) => {
  const found = matchMunicipality(name)
  t.ok(found, `${name} is on the list`)
  return found
}

t.test('postal codes of West- and Oost-Vlaanderen find their 2025 municipality', async (t) => {
  const cases: [string, string][] = [
    ['Kapelstraat 1, 8310 Brugge', 'Brugge'],
    ['Korenmarkt 1, 9000 Gent', 'Gent'],
    ['Marktplein 3, 8760 Meulebeke', 'Tielt'],
    ['Dorp 1, 9185 Wachtebeke', 'Lochristi'],
    ['Kerkstraat 2, 9840 De Pinte', 'Nazareth-De Pinte'],
    ['Zeedijk 10, 8660 De Panne', 'De Panne'],
  ]
  for (const [address, name] of cases) {
    const nis = matchMunicipality('', address)
    t.equal(nis && findMunicipality(nis)?.name, name, `${address} → ${name}`)
  }
  t.equal(matchMunicipality('', 'Rue 1, 7000 Mons'), null, 'a Walloon postal code is not on the list')
  t.equal(matchMunicipality('', 'Dorp 1, 9099 Gent'), null, 'a sorting code left out of the table matches nothing by itself')
})

t.test('an offer is in the municipality its place names, never one guessed from a word', async (t) => {
  t.equal(municipalityOfPlace('Dijk 111, 3700 Tongeren'), nisOf('Tongeren-Borgloon'), 'a part that is a municipality (an old one, merged in 2025)')
  t.equal(municipalityOfPlace('Sint-Truiden'), nisOf('Sint-Truiden'), 'the place is the name')
  t.equal(municipalityOfPlace('Zaal De Kring, 9000'), nisOf('Gent'), 'a postal code alone')
  t.equal(municipalityOfPlace('St.-Truiden, Zaal 2'), nisOf('Sint-Truiden'), 'a name written another way, in any part')
  for (const place of ['Bib Borgloon', 'online', 'Café De Boom', '', null]) t.equal(municipalityOfPlace(place), null, `${JSON.stringify(place)}: none`)
})
