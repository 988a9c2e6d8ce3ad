import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Security headers on every page. The CSP allows exactly what the pages use: their own
 * origin, inline <style> blocks (the pages inline their CSS so that they arrive in one
 * round trip), images from the same origin and data: URLs, and no scripts at all.
 * `upgrade-insecure-requests` and HSTS are only sent when the public address is https:
 * on a plain-http local install they would send the browser to a port that does not answer.
 */
function helmetOptions(publicBaseUrl: string): FastifyHelmetOptions {
  const https = publicBaseUrl.startsWith('https:')
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'none'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // includeSubDomains: the public host's subdomains are ours too and never need plain http.
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: true } : false,
    // DENY, as frame-ancestors 'none' says: no page of ours is ever shown in a frame.
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  }
}

/**
 * The headers @fastify/helmet sends with these options, worked out once at start-up by
 * letting it answer one request in a throwaway instance. Helmet rebuilds its headers on
 * every request (about 90 µs per request measured here, as much as the whole citizen step-1
 * route); our headers never vary per request (no nonces), so every response gets this
 * fixed set for the cost of a few setHeader calls.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false })
  await probe.register(helmet, options)
  probe.get('/', async () => '')
  const baseline = Fastify({ logger: false })
  baseline.get('/', async () => '')
  const [withHelmet, without] = await Promise.all([probe.inject('/'), baseline.inject('/')])
  await Promise.all([probe.close(), baseline.close()])
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(withHelmet.headers)) {
    if (name in without.headers || value === undefined) continue
    headers[name] = String(value)
  }
  return headers
}

/**
 * No page uses a device sensor, payment or the like, and none joins an ad-interest
 * cohort: all are switched off, for our pages and anything they could ever embed.
 */
const permissionsPolicy = [
  'accelerometer',
  'autoplay',
  'browsing-topics',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'hid',
  'interest-cohort',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ')

export default fp(
  async function securityHeaders(app: FastifyInstance, options: { publicBaseUrl: string }) {
    const headers = [...Object.entries(await helmetHeaders(helmetOptions(options.publicBaseUrl))), ['permissions-policy', permissionsPolicy] as [string, string]]
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers) reply.header(name, value)
      done()
    })
  },
  { name: 'security-headers' },
)
