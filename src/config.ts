import { z } from 'zod'

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * TRUST_PROXY is a hop count ("1") or a comma-separated address/CIDR list.
 * Plain `true` is refused on purpose: it would let anyone forge X-Forwarded-For
 * and escape every per-client limit.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx): number | string[] | false => {
    if (value === undefined || value === '' || value === 'false' || value === '0') return false
    if (/^\d+$/.test(value)) return Number(value)
    if (value === 'true') {
      ctx.addIssue({ code: 'custom', message: 'must be a hop count or a list of proxy addresses, never "true"' })
      return z.NEVER
    }
    const list = value.split(',').map((part) => part.trim()).filter(Boolean)
    const address = /^[0-9a-fA-F:.]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/
    if (list.length === 0 || !list.every((part) => address.test(part))) {
      ctx.addIssue({ code: 'custom', message: 'must be a hop count or a comma-separated list of IP addresses or CIDR ranges' })
      return z.NEVER
    }
    return list
  })

const databaseUrl = z
  .string()
  .trim()
  .default('sqlite:data/leervraag.db')
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    message: 'must start with sqlite: (a file path) or postgres:// (a connection URL)',
  })
  // Caught here, the mistake is named at start-up; otherwise it surfaces later as a bare "Invalid URL".
  .refine((value) => !/^postgres/.test(value) || postgresUrlParses(value), {
    message: 'is not a valid connection URL (postgres://user:password@host:port/database; percent-encode special characters in the password)',
  })

function postgresUrlParses(value: string): boolean {
  try {
    const url = new URL(value)
    // The pg driver decodes these later and throws a bare "URI malformed" on a stray %.
    decodeURIComponent(url.username)
    decodeURIComponent(url.password)
    return url.hostname !== '' || url.searchParams.has('host')
  } catch {
    return false
  }
}

// 0 asks the system for any free port (tests start servers that way).
const port = z.coerce.number().int().min(0).max(65535).default(3000)

const configSchema = z.object({
  PORT: port,
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: databaseUrl,
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://leervraag.example.be' })
    .optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  TRUST_PROXY: trustProxy,
  /**
   * Signs the short-lived tokens that let one browser amend its own answer.
   * When unset, a random secret is generated once and kept in the database,
   * so that it survives restarts and is shared by every instance.
   */
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Bearer token that unlocks /metrics; without it /metrics does not exist (404). */
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /** Shared counters (rate limits) in Redis instead of the database, for many instances. */
  REDIS_URL: z
    .string()
    .trim()
    .refine((value) => /^rediss?:\/\/.+/.test(value) && URL.canParse(value), { message: 'must be a redis:// or rediss:// URL' })
    .optional(),
  /**
   * UiTdatabank Search API v3 (issue 18): with a key, a query and a region, new and changed
   * events are fetched on a schedule. The key goes in the x-api-key header (publiq's
   * search-api/authentication.md).
   */
  UITDATABANK_API_KEY: z.string().trim().min(8, 'must be at least 8 characters').optional(),
  /** The advanced query (q=…) that selects the region's events, e.g. `regions:nis-73109`. */
  UITDATABANK_QUERY: z.string().trim().min(1, 'must not be empty').optional(),
  /** The id of the Leervraag region the fetched events belong to. */
  UITDATABANK_REGION_ID: z.coerce.number().int().positive('must be a region id').optional(),
  UITDATABANK_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).default('https://search.uitdatabank.be'),
  UITDATABANK_INTERVAL_MINUTES: z.coerce.number().int().min(5, 'must be at least 5').max(10080).default(60),
  /**
   * The mail server the monthly digest is sent through (issue 19), `smtp://user:pass@host:port`
   * or `smtps://…`. Unset: nothing is ever sent.
   */
  SMTP_URL: z
    .string()
    .trim()
    .refine((value) => /^smtps?:\/\/[^/]+/.test(value) && URL.canParse(value) && new URL(value).hostname !== '', { message: 'must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.be:587' })
    .optional(),
  /**
   * The sender of the digest e-mails: `digest@leervraag.example.be` or
   * `Leervraag <digest@leervraag.example.be>`, an address the mail server may send for
   * (SPF, DKIM). Unset: `leervraag@` the host of PUBLIC_BASE_URL.
   */
  SMTP_FROM: z
    .string()
    .trim()
    .regex(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)$/, { message: 'must be an e-mail address such as digest@leervraag.example.be, or Name <digest@leervraag.example.be>' })
    .optional(),
})

/** `Name <address>` or a bare address → its parts (the envelope sender is the bare address). */
function mailbox(value: string): { name: string | undefined; address: string } {
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(value)
  if (match === null) return { name: undefined, address: value }
  const name = match[1]!.trim().replace(/^"(.*)"$/, '$1')
  return { name: name === '' ? undefined : name, address: match[2]! }
}

export interface Config {
  port: number
  host: string
  databaseUrl: string
  publicBaseUrl: string
  logLevel: (typeof logLevels)[number]
  trustProxy: number | string[] | false
  secret: string | undefined
  metricsToken: string | undefined
  redisUrl: string | undefined
  /** Present only when key, query and region are all set. */
  uitdatabank: { apiKey: string; query: string; regionId: number; url: string; intervalMinutes: number } | undefined
  smtpUrl: string | undefined
  /** The digest e-mails' sender. */
  smtpFrom: { name: string | undefined; address: string }
}

export class ConfigError extends Error {}

/** Reads the environment once; a wrong value throws a ConfigError that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    // One line, so that it reads well in a container log or a systemd journal.
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`)
  }
  const values = parsed.data
  const publicBaseUrl = (values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '')
  const uit = [values.UITDATABANK_API_KEY, values.UITDATABANK_QUERY, values.UITDATABANK_REGION_ID]
  if (uit.some((v) => v !== undefined) && uit.some((v) => v === undefined)) {
    throw new ConfigError('invalid configuration: UITDATABANK_API_KEY, UITDATABANK_QUERY and UITDATABANK_REGION_ID: set all three or none')
  }
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    publicBaseUrl,
    logLevel: values.LOG_LEVEL,
    trustProxy: values.TRUST_PROXY,
    secret: values.SECRET,
    metricsToken: values.METRICS_TOKEN,
    redisUrl: values.REDIS_URL,
    uitdatabank:
      values.UITDATABANK_API_KEY && values.UITDATABANK_QUERY && values.UITDATABANK_REGION_ID
        ? {
            apiKey: values.UITDATABANK_API_KEY,
            query: values.UITDATABANK_QUERY,
            regionId: values.UITDATABANK_REGION_ID,
            url: values.UITDATABANK_URL.replace(/\/+$/, ''),
            intervalMinutes: values.UITDATABANK_INTERVAL_MINUTES,
          }
        : undefined,
    smtpUrl: values.SMTP_URL,
    smtpFrom: values.SMTP_FROM === undefined ? { name: 'Leervraag', address: `leervraag@${new URL(publicBaseUrl).hostname}` } : mailbox(values.SMTP_FROM),
  }
}
