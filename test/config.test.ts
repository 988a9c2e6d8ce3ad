import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.ts'

t.test('defaults make a working local configuration', async (t) => {
  const config = loadConfig({})
  t.match(config, { port: 3000, host: '127.0.0.1', databaseUrl: 'sqlite:data/leervraag.db', publicBaseUrl: 'http://localhost:3000', logLevel: 'info', trustProxy: false })
  t.equal(loadConfig({ PORT: '8080' }).publicBaseUrl, 'http://localhost:8080')
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'https://leervraag.example.be/' }).publicBaseUrl, 'https://leervraag.example.be')
  t.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1)
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy, ['10.0.0.1', '192.168.0.0/16'])
  t.equal(loadConfig({ DATABASE_URL: 'postgres://app@db/leervraag' }).databaseUrl, 'postgres://app@db/leervraag')
  t.equal(loadConfig({}).smtpUrl, undefined, 'no SMTP_URL: nothing is sent')
  t.equal(loadConfig({ SMTP_URL: 'smtps://digest:geheim@mail.example.be' }).smtpUrl, 'smtps://digest:geheim@mail.example.be')
  t.same(loadConfig({ PUBLIC_BASE_URL: 'https://leervraag.example.be' }).smtpFrom, { name: 'Leervraag', address: 'leervraag@leervraag.example.be' }, 'the sender defaults to the public host')
  t.same(loadConfig({ SMTP_FROM: 'Leerecosysteem Haspengouw <digest@haspengouw.example.be>' }).smtpFrom, { name: 'Leerecosysteem Haspengouw', address: 'digest@haspengouw.example.be' })
  t.same(loadConfig({ SMTP_FROM: 'digest@haspengouw.example.be' }).smtpFrom, { name: undefined, address: 'digest@haspengouw.example.be' })
})

t.test('a wrong value stops with a message that names the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must start with sqlite: .* or postgres:\/\//],
    [{ PUBLIC_BASE_URL: 'leervraag.be' }, /PUBLIC_BASE_URL/],
    [{ PUBLIC_BASE_URL: 'ftp://leervraag.be' }, /PUBLIC_BASE_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY: must be a hop count .* never "true"/],
    [{ TRUST_PROXY: 'my-proxy' }, /TRUST_PROXY/],
    [{ SECRET: 'short' }, /SECRET: must be at least 32 characters/],
    [{ UITDATABANK_API_KEY: 'key-12345678' }, /UITDATABANK_API_KEY, UITDATABANK_QUERY and UITDATABANK_REGION_ID: set all three or none/],
    [{ UITDATABANK_API_KEY: 'short', UITDATABANK_QUERY: 'q', UITDATABANK_REGION_ID: '1' }, /UITDATABANK_API_KEY: must be at least 8 characters/],
    [{ UITDATABANK_REGION_ID: 'tongeren' }, /UITDATABANK_REGION_ID/],
    [{ UITDATABANK_INTERVAL_MINUTES: '1' }, /UITDATABANK_INTERVAL_MINUTES: must be at least 5/],
    [{ SMTP_URL: 'mail.example.be' }, /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_URL: 'http://mail.example.be' }, /SMTP_URL/],
    [{ SMTP_URL: 'smtp://' }, /SMTP_URL/],
    [{ SMTP_FROM: 'digest' }, /SMTP_FROM: must be an e-mail address/],
    [{ SMTP_FROM: 'Digest <digest@x.be> extra' }, /SMTP_FROM/],
    [{ SMTP_FROM: 'a@b.be\r\nBcc: c@d.be' }, /SMTP_FROM/],
  ]
  for (const [env, message] of cases) {
    let thrown: unknown
    try {
      loadConfig(env)
    } catch (error) {
      thrown = error
    }
    t.ok(thrown instanceof ConfigError, `${JSON.stringify(env)} is refused`)
    t.match((thrown as Error | undefined)?.message, message, JSON.stringify(env))
  }
})

t.test('the UiTdatabank fetch is configured with its key, query and region, or not at all', async (t) => {
  t.equal(loadConfig({}).uitdatabank, undefined)
  t.same(loadConfig({ UITDATABANK_API_KEY: 'key-12345678', UITDATABANK_QUERY: 'regions:nis-73083', UITDATABANK_REGION_ID: '3' }).uitdatabank, {
    apiKey: 'key-12345678',
    query: 'regions:nis-73083',
    regionId: 3,
    url: 'https://search.uitdatabank.be',
    intervalMinutes: 60,
  })
})

