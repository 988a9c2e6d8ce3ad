import { createServer, type AddressInfo, type Server } from 'node:net'
import t from 'tap'
import { SMTPServer } from 'smtp-server'
import { deliver, smtpTarget } from '../../src/ops/smtp.ts'
import { scripted } from '../digest/smtp-servers.ts'

/**
 * One message over SMTP against real servers on loopback: smtp-server for a delivery and a
 * refused recipient, and a scripted server (plain sockets, the SMTP replies written by
 * hand) that drops the connection at each phase or never greets. Whether a failure may be
 * retried is decided by whether the message was handed over: only a drop after its bytes
 * were sent is 'unknown'.
 */

const raw = Buffer.from('From: digest@leervraag.example\r\nTo: lid@example.be\r\nSubject: Maandoverzicht\r\n\r\nDag!\r\n')
const envelope = { from: 'digest@leervraag.example', to: 'lid@example.be' }

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port
}

t.test('a delivery: the server receives the message', async (t) => {
  const received: string[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let text = ''
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
      stream.on('end', () => {
        received.push(text)
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(resolve)))
  const port = (server.server.address() as AddressInfo).port
  const result = await deliver(smtpTarget(`smtp://127.0.0.1:${port}`), envelope, raw, { timeoutMs: 2000 })
  t.equal(result.outcome, 'sent')
  t.equal(received.length, 1, 'one message received')
  t.match(received[0]!, 'Subject: Maandoverzicht')
})

t.test('a refused recipient: retried (nothing was handed over)', async (t) => {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }))
    },
    onData(stream, _session, callback) {
      stream.resume()
      stream.on('end', () => callback())
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(resolve)))
  const port = (server.server.address() as AddressInfo).port
  const result = await deliver(smtpTarget(`smtp://127.0.0.1:${port}`), envelope, raw, { timeoutMs: 2000 })
  t.equal(result.outcome, 'retry')
  t.match(result.outcome === 'sent' ? '' : result.reason, 'EENVELOPE')
})

t.test('a refused connection: retried', async (t) => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = portOf(closed)
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const result = await deliver(smtpTarget(`smtp://127.0.0.1:${port}`), envelope, raw, { timeoutMs: 2000 })
  t.equal(result.outcome, 'retry')
  t.match(result.outcome === 'sent' ? '' : result.reason, /ECONNREFUSED|ECONNECTION/)
})

for (const [phase, expected] of [
  ['never greets', 'retry'],
  ['greeting', 'retry'],
  ['MAIL', 'retry'],
  ['RCPT', 'retry'],
  ['DATA', 'retry'],
  ['after DATA', 'unknown'],
  ['silent after DATA', 'unknown'],
] as const) {
  t.test(`the server ${phase === 'never greets' ? 'never greets (a timeout)' : phase === 'silent after DATA' ? 'takes the message and never answers (a timeout)' : `drops the connection at ${phase}`}: ${expected}`, async (t) => {
    const server = scripted(phase)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.teardown(() => {
      server.close()
      return undefined
    })
    const started = Date.now()
    const result = await deliver(smtpTarget(`smtp://127.0.0.1:${portOf(server)}`), envelope, raw, { timeoutMs: 500 })
    t.equal(result.outcome, expected, result.outcome === 'sent' ? 'sent' : result.reason)
    t.ok(Date.now() - started < 5000, 'does not hang')
  })
}

t.test('SMTP_URL forms', async (t) => {
  t.same(smtpTarget('smtp://mail.example.be:2525'), { host: 'mail.example.be', port: 2525, secure: false })
  t.same(smtpTarget('smtps://digest%40x.be:p%40ss@mail.example.be'), { host: 'mail.example.be', port: 465, secure: true, auth: { user: 'digest@x.be', pass: 'p@ss' } })
  t.equal(smtpTarget('smtp://mail.example.be').port, 587)
})
