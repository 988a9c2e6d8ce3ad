import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Security headers on every page. The CSP allows exactly what the pages use: their own
 * origin, inline <style> blocks (the citizen pages inline their CSS so that they arrive in
 * one round trip), images from the same origin and data: URLs, and no scripts at all.
 * `upgrade-insecure-requests` and HSTS are only sent when the public address is https:
 * on a plain-http local install they would send the browser to a port that does not answer.
 */
export default fp(
  async function securityHeaders(app: FastifyInstance, options: { publicBaseUrl: string }) {
    const https = options.publicBaseUrl.startsWith('https:')
    await app.register(helmet, {
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
      strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
      referrerPolicy: { policy: 'same-origin' },
    })
  },
  { name: 'security-headers' },
)
