/**
 * A bounded multipart/form-data reader (RFC 7578) for the one upload form: the app has no
 * multipart plugin and the import form needs one file and two small fields. The whole body
 * is already in memory under the route's body limit, so this only splits it; anything that
 * does not follow the format is refused (null) rather than guessed at.
 */
export interface MultipartForm {
  fields: Record<string, string>
  files: Record<string, { fileName: string; data: Buffer }>
}

const maxParts = 10

export function boundaryOf(contentType: string | undefined): string | null {
  const match = contentType ? /^multipart\/form-data;.*\bboundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType) : null
  return match ? (match[1] ?? match[2] ?? null) : null
}

export function parseMultipart(body: Buffer, boundary: string): MultipartForm | null {
  const delimiter = Buffer.from(`--${boundary}`)
  const form: MultipartForm = { fields: {}, files: {} }
  let at = body.indexOf(delimiter)
  if (at !== 0) return null
  for (let parts = 0; ; parts++) {
    at += delimiter.length
    if (body.subarray(at, at + 2).toString() === '--') return form
    if (parts >= maxParts || body.subarray(at, at + 2).toString() !== '\r\n') return null
    const headersEnd = body.indexOf('\r\n\r\n', at)
    if (headersEnd < 0) return null
    const headers = body.subarray(at + 2, headersEnd).toString('utf8')
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4)
    if (next < 0) return null
    const content = body.subarray(headersEnd + 4, next)
    const disposition = /^content-disposition:\s*form-data;(.*)$/im.exec(headers)?.[1]
    const name = disposition ? /\bname="([^"]*)"/.exec(disposition)?.[1] : undefined
    if (!disposition || name === undefined) return null
    const fileName = /\bfilename="([^"]*)"/.exec(disposition)?.[1]
    if (fileName !== undefined) form.files[name] = { fileName, data: Buffer.from(content) }
    else form.fields[name] = content.toString('utf8')
    at = next + 2
  }
}
