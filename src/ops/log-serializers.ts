/**
 * What an error log line may carry. pino's standard serializer copies every enumerable
 * property of an error, and errors carry more than their message: PostgreSQL puts the
 * offending values in `detail` ("Key (email)=(an@example.be) already exists."), client
 * libraries attach request bodies or parameters, validation errors hold the input. So we
 * keep a fixed set of fields and nothing else.
 */
export interface LoggedError {
  type: string
  message: string
  code?: string
  statusCode?: number
  stack: string
  cause?: LoggedError
  [key: string]: unknown
}

/**
 * PostgreSQL "data exception" messages (SQLSTATE class 22) quote the value that did not
 * fit — which could be anything a person typed — as in `invalid input syntax for type
 * integer: "…"`. The quoted part goes.
 */
function redactValues(message: string, code: string | undefined): string {
  if (code === undefined || !/^22[0-9A-Z]{3}$/.test(code)) return message
  return message.replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"')
}

/**
 * An error message can quote an address or a value it was given (a router's "not a valid
 * url component", a library's "unknown key …"): a run of 22 or more URL-safe characters,
 * the shortest any token of ours is, goes.
 */
function redactTokens(message: string): string {
  return message.replace(/[A-Za-z0-9_-]{22,}/g, '[redacted]')
}

export function errorForLog(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: '[not an Error]', stack: '' }
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown }
  const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined
  const message = redactTokens(redactValues(error.message, codeText))
  // The first line of a stack repeats the message: keep the redacted one.
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
  const logged: LoggedError = { type: error.name, message, stack: [`${error.name}: ${message}`, ...frames].join('\n') }
  if (codeText !== undefined) logged.code = codeText
  if (typeof statusCode === 'number') logged.statusCode = statusCode
  if (error.cause !== undefined && depth < 3) logged.cause = errorForLog(error.cause, depth + 1)
  return logged
}

/** Route parameters whose value is a secret (invitation and share-link tokens): never logged. */
const secretParams = new Set(['token'])

/**
 * A path segment short and plain enough to be a poster code, an id or a fixed word. Every
 * token the service hands out is at least 22 characters long (answer tokens, withdrawal,
 * invitation, share and API tokens), so a longer or unusual segment is dropped, whatever
 * route it reached: an unknown address (`/admin/regions/<token>`, a 404) is exactly where
 * a pasted link lands.
 */
const plainSegment = /^[A-Za-z0-9_.~-]{1,16}$/

function segmentForLog(segment: string): string {
  return segment === '' || plainSegment.test(segment) ? segment : '[redacted]'
}

export interface LoggedRequest {
  url: string
  routeOptions?: { url?: string | undefined }
}

/**
 * The path a log line or the audit log may carry: never the query string (answer and
 * withdrawal tokens travel there), never a secret route parameter (`/login/invite/:token`
 * becomes `/login/invite/[token]`, `/r/:token` becomes `/r/[token]`), and no segment that
 * could be a token. Codes and ids stay: an operator needs to know which poster failed.
 */
export function pathForLog(request: LoggedRequest): string {
  const index = request.url.indexOf('?')
  const raw = (index === -1 ? request.url : request.url.slice(0, index)).split('/')
  const pattern = request.routeOptions?.url?.split('/')
  if (pattern === undefined || pattern.length !== raw.length || pattern.some((segment) => segment.includes('*'))) {
    return raw.map(segmentForLog).join('/')
  }
  return pattern
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segmentForLog(raw[i]!)
      return secretParams.has(segment.slice(1)) ? '[token]' : segmentForLog(raw[i]!)
    })
    .join('/')
}
