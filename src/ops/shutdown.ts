import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

/**
 * On SIGTERM or SIGINT (or a crash): stop accepting connections, let the requests in
 * flight finish — an answer is acknowledged only after its commit, so none is lost — then
 * close the database (the app's onClose hooks) and exit. A second signal, or `delayMs`
 * without finishing, ends the process at once.
 */
export function closeGracefullyOnSignal(app: FastifyInstance, delayMs = 10_000): void {
  closeWithGrace({ delay: delayMs, logger: { error: (message: unknown) => app.log.error(String(message)) } }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    app.log.info('closed')
  })
}
