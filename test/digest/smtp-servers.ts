import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'

/**
 * Real SMTP servers on loopback for the digest tests: smtp-server for a delivery (it keeps
 * every message it accepted) or a refusal, and a scripted server (plain sockets, the SMTP
 * replies written by hand) that drops the connection at one phase or goes silent.
 */

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Received {
  from: string
  to: string[]
  raw: string
}

/** An SMTP server that accepts everything and keeps it; `delayMs` slows its reply to DATA (to widen races). */
export async function smtpSink(t: Teardown, options: { delayMs?: number; refuseRecipients?: boolean; refuseConnections?: boolean } = {}): Promise<{ port: number; url: string; received: Received[] }> {
  const received: Received[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      // smtp-server answers a refused connection with 554 and closes it.
      if (options.refuseConnections) return callback(Object.assign(new Error('no service for you'), { responseCode: 554 }))
      callback()
    },
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipients) return callback(Object.assign(new Error(`<${address.address}> no such mailbox`), { responseCode: 550 }))
      callback()
    },
    onData(stream, session, callback) {
      let text = ''
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: text })
        setTimeout(() => callback(), options.delayMs ?? 0)
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(resolve)))
  const port = (server.server.address() as AddressInfo).port
  return { port, url: `smtp://127.0.0.1:${port}`, received }
}

export type Phase = 'greeting' | 'MAIL' | 'RCPT' | 'DATA' | 'after DATA' | 'never greets' | 'silent after DATA'

/** An SMTP server that behaves until `phase`, then closes the connection without a reply (or, for the silent ones, never answers). */
export function scripted(phase: Phase): Server {
  return createServer((socket: Socket) => {
    if (phase === 'greeting') return socket.destroy()
    if (phase === 'never greets') return // holds the connection open, silent
    socket.write('220 scripted ESMTP\r\n')
    let buffer = ''
    let inData = false
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1')
      if (inData) {
        if (!buffer.includes('\r\n.\r\n')) return
        // The message arrived and no reply ever comes: a timeout after the hand-over.
        if (phase === 'silent after DATA') return
        // The whole message arrived: drop without the reply that would say "queued".
        return socket.destroy()
      }
      let end: number
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const verb = line.split(/[ :]/)[0]!.toUpperCase()
        if ((verb === 'MAIL' && phase === 'MAIL') || (verb === 'RCPT' && phase === 'RCPT') || (verb === 'DATA' && phase === 'DATA')) return socket.destroy()
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 scripted\r\n')
        else if (verb === 'MAIL' || verb === 'RCPT') socket.write('250 OK\r\n')
        else if (verb === 'DATA') {
          socket.write('354 go ahead\r\n')
          inData = true
          buffer = ''
          return
        } else if (verb === 'QUIT') socket.end('221 bye\r\n')
        else socket.write('502 no\r\n')
      }
    })
  })
}

/** A scripted server listening on loopback, closed (its open sockets destroyed) when the test ends. */
export async function scriptedServer(t: Teardown, phase: Phase): Promise<{ port: number; url: string }> {
  const server = scripted(phase)
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  return { port, url: `smtp://127.0.0.1:${port}` }
}

/** A loopback port with nothing listening on it: the connection is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
