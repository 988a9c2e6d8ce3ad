import type { FastifyInstance } from 'fastify'

export interface Readiness {
  status: number
  body: unknown
  cacheControl: string | undefined
}

/** One /readyz probe, as a load balancer sends it. */
export async function readyz(app: FastifyInstance): Promise<Readiness> {
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  return { status: res.statusCode, body: res.json(), cacheControl: res.headers['cache-control'] as string | undefined }
}

/**
 * "Ready" as a load balancer sees it: the answer within a few probes, not necessarily the
 * first. A single first probe failed CI on a busy machine, where opening the pool's first
 * connection to a new PostgreSQL database took longer than the probe's 2-second bound.
 */
export async function readySoon(app: FastifyInstance, withinMs = 15_000): Promise<Readiness> {
  const deadline = Date.now() + withinMs
  let answer = await readyz(app)
  while (answer.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    answer = await readyz(app)
  }
  return answer
}
