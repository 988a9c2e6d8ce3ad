import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { GroupCommit } from './group-commit.ts'
import { ResponseWriter } from './response-writer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Step-1 answers, group-committed with their rollups (response-writer.ts). */
    responseWriter: ResponseWriter
    /** Step-2 amendments and any other short durable work, group-committed (group-commit.ts). */
    amendments: GroupCommit
  }
}

export interface AnswersPluginOptions {
  /** Off only in the benchmark that prices the rollups on the answer route; see ResponseWriter. */
  rollups?: boolean
}

/**
 * The write model's two queues, shared (not encapsulated in the capture plugin) because a
 * group commit only pays off when every answer of this instance goes through the same one,
 * and /metrics reads the writer's count. Nothing else of the capture feature lives here.
 */
export default fp<AnswersPluginOptions>(
  async function answersPlugin(app: FastifyInstance, options) {
    app.decorate('responseWriter', new ResponseWriter(app.db, undefined, options.rollups ?? true))
    app.decorate('amendments', new GroupCommit(app.db))
  },
  { name: 'answers', dependencies: ['db'] },
)
