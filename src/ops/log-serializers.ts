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

export function errorForLog(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: '[not an Error]', stack: '' }
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown }
  const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined
  const message = redactValues(error.message, codeText)
  // The first line of a stack repeats the message: keep the redacted one.
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
  const logged: LoggedError = { type: error.name, message, stack: [`${error.name}: ${message}`, ...frames].join('\n') }
  if (codeText !== undefined) logged.code = codeText
  if (typeof statusCode === 'number') logged.statusCode = statusCode
  if (error.cause !== undefined && depth < 3) logged.cause = errorForLog(error.cause, depth + 1)
  return logged
}
