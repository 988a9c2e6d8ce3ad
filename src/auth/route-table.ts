import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface RouteEntry {
  method: string
  url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method and path pattern), so tests can walk them all. */
    routeTable: RouteEntry[]
  }
}

/** Registered before the features, so that it sees every route they add. */
export default fp(
  async function routeTable(app: FastifyInstance) {
    const table: RouteEntry[] = []
    app.decorate('routeTable', table)
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) table.push({ method, url: route.url })
    })
  },
  { name: 'route-table' },
)
