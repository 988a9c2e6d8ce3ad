/**
 * File names for downloads: `leervraag-repair-cafe-bib-tongeren-k7m2qx.pdf`. Plain ASCII
 * letters, digits and hyphens only, so that the name survives every browser, mail
 * client and file system, and needs no escaping in a Content-Disposition header.
 */

/** `Repair Café Tongeren!` → `repair-cafe-tongeren`; at most `max` characters, cut at a hyphen. */
export function slug(text: string, max = 40): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .replace(/[œŒ]/g, 'oe')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (ascii.length <= max) return ascii
  const cut = ascii.slice(0, max)
  const hyphen = cut.lastIndexOf('-')
  return (hyphen > max / 2 ? cut.slice(0, hyphen) : cut).replace(/-+$/, '')
}

export function posterFileName(poster: { activityTitle: string; locationName: string; code: string }, extension: 'pdf' | 'svg' | 'png'): string {
  const parts = ['leervraag', slug(poster.activityTitle), slug(poster.locationName), poster.code.toLowerCase()].filter((part) => part !== '')
  return `${parts.join('-')}.${extension}`
}

/** A batch: `leervraag-repair-cafe-a4.pdf`. */
export function batchFileName(scopeName: string, format: string): string {
  const parts = ['leervraag', slug(scopeName), slug(format)].filter((part) => part !== '')
  return `${parts.join('-')}.pdf`
}

/** The header for a download; the name is already plain ASCII (see slug). */
export function attachment(fileName: string): string {
  return `attachment; filename="${fileName}"`
}
