import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { posterPdf, type PosterContent, type PrintOptions } from '../src/posters/poster-pdf.ts'

/**
 * Writes sample posters to test/artifacts/ as PDF and as PNG (poppler's pdftoppm), for a
 * person to look at: long names, two languages, every format. `npx tsx scripts/poster-samples.ts`
 */
const out = 'test/artifacts'
mkdirSync(out, { recursive: true })
const long: PosterContent = {
  code: 'K7M2QX',
  activityTitle: 'Repair Café: naaien, herstellen en hergebruiken met de buren',
  locationName: 'Bibliotheek Tongeren – Maastrichterstraat 10, leeszaal op de 2e verdieping',
  audience: 'all',
}
const base = { errorCorrection: 'M', publicBaseUrl: 'https://leervraag.example.be' } as const
const samples: Array<[string, PosterContent, Omit<PrintOptions, keyof typeof base>]> = [
  ['poster-a4-nl-fr', long, { format: 'a4', languages: ['nl', 'fr'] }],
  ['poster-a4-children-nl', { ...long, audience: 'children', activityTitle: 'Codeerclub', locationName: 'Jeugdhuis De Kring' }, { format: 'a4', languages: ['nl'] }],
  ['poster-a5-uk-nl', long, { format: 'a5', languages: ['uk', 'nl'] }],
  ['poster-a3-fr', long, { format: 'a3', languages: ['fr'] }],
  ['tent-nl-fr', long, { format: 'tent', languages: ['nl', 'fr'] }],
  ['stickers-8-nl', long, { format: 'stickers-8', languages: ['nl'] }],
  ['stickers-21-nl-fr', long, { format: 'stickers-21', languages: ['nl', 'fr'] }],
]
for (const [name, poster, options] of samples) {
  const pdf = await posterPdf(poster, { ...base, ...options })
  writeFileSync(`${out}/${name}.pdf`, pdf)
  execFileSync('pdftoppm', ['-r', '80', '-png', '-singlefile', `${out}/${name}.pdf`, `${out}/${name}`])
  console.log(`${out}/${name}.pdf (${pdf.length} bytes) and .png`)
}
