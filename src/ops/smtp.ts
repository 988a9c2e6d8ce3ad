import { Readable } from 'node:stream'
import SMTPConnection from 'nodemailer/lib/smtp-connection'

/**
 * One message over SMTP, with the one fact that decides a retry: whether the message was
 * handed over. Over SMTP, a connection that drops after the message's bytes were sent
 * cannot be told apart from a delivery (the server may have queued it and lost only its
 * reply), so such a failure is 'unknown' and must not be sent again; every failure before
 * that (refused connection, no greeting, a refused sender or recipient, a drop or timeout
 * before the server said 354 to DATA) left the server without the message, so it is
 * 'retry'. "Handed over" is measured, not guessed from the error: the message is a stream
 * that nodemailer reads only after DATA was accepted (smtp-connection pipes it then), and
 * the first read marks it.
 */

export type Delivery = { outcome: 'sent'; response: string } | { outcome: 'retry' | 'unknown'; reason: string }

export interface SmtpTarget {
  host: string
  port: number
  secure: boolean
  auth?: { user: string; pass: string }
}

/** `smtp://user:pass@host:port` or `smtps://…` (as in SMTP_URL). */
export function smtpTarget(url: string): SmtpTarget {
  const parsed = new URL(url)
  const secure = parsed.protocol === 'smtps:'
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port),
    secure,
    ...(parsed.username === '' ? {} : { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }),
  }
}

export async function deliver(target: SmtpTarget, envelope: { from: string; to: string }, raw: Buffer, options: { timeoutMs?: number } = {}): Promise<Delivery> {
  const timeout = options.timeoutMs ?? 30_000
  let handedOver = false
  const message = new Readable({
    read() {
      handedOver = true
      this.push(raw)
      this.push(null)
    },
  })
  const connection = new SMTPConnection({ host: target.host, port: target.port, secure: target.secure, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout })
  const failed = (error: unknown): Delivery => ({ outcome: handedOver ? 'unknown' : 'retry', reason: error instanceof Error ? `${(error as { code?: string }).code ?? 'ERROR'}: ${error.message}` : String(error) })
  return new Promise<Delivery>((resolve) => {
    let settled = false
    const settle = (result: Delivery) => {
      if (settled) return
      settled = true
      if (result.outcome === 'sent') connection.quit()
      else connection.close()
      resolve(result)
    }
    connection.on('error', (error) => settle(failed(error)))
    // A close before the send's callback: the server went away; what that means depends on the phase.
    connection.on('end', () => settle(failed(new Error('connection closed'))))
    connection.connect((error?: Error | null) => {
      if (error) return settle(failed(error))
      const send = () =>
        connection.send(envelope, message, (sendError, info) => {
          if (sendError) return settle(failed(sendError))
          settle({ outcome: 'sent', response: info.response })
        })
      if (target.auth === undefined) return send()
      connection.login(target.auth, (loginError) => (loginError ? settle(failed(loginError)) : send()))
    })
  })
}
