import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { isUtf8 } from 'node:buffer'
import createError from '@fastify/error'

const InvalidFormEncoding = createError('LV_INVALID_FORM_ENCODING', 'The form could not be decoded as UTF-8', 400)

export type FormBody = Record<string, string | string[]>

/**
 * Parses application/x-www-form-urlencoded strictly. The common parsers turn invalid
 * UTF-8 (raw or percent-encoded, such as `%FF`) into U+FFFD or keep it as literal text,
 * so a mangled answer would be stored as if it were what the person typed. We refuse
 * such a body with a 400 page instead, and nothing is stored.
 * A repeated key (checkboxes) becomes an array.
 */
function parseForm(raw: Buffer): FormBody {
  if (!isUtf8(raw)) throw new InvalidFormEncoding()
  const body: FormBody = Object.create(null)
  const text = raw.toString('utf8')
  if (text.length === 0) return body
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const key = decode(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1))
    const existing = body[key]
    if (existing === undefined) body[key] = value
    else if (Array.isArray(existing)) existing.push(value)
    else body[key] = [existing, value]
  }
  return body
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '))
  } catch {
    throw new InvalidFormEncoding()
  }
}

export default fp(
  async function formBody(app: FastifyInstance) {
    // Only HTML forms reach the citizen and management routes; any other content type
    // is answered with 415 by Fastify and rendered as a friendly page by the error handler.
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, parseForm(body as Buffer))
      } catch (error) {
        done(error as Error, undefined)
      }
    })
  },
  { name: 'form-body' },
)
