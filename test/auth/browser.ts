import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../src/db/types.ts'
import { hashPassword } from '../../src/auth/passwords.ts'
import { createUser } from '../../src/auth/users.ts'
import { form, formHeaders } from '../helpers.ts'

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!match) throw new Error('no CSRF token on the page')
  return match[1]!
}

/**
 * A tiny browser over app.inject: keeps cookies between requests (as a browser would)
 * and fills in the CSRF token of the page it last opened.
 */
export class Browser {
  cookies = new Map<string, string>()
  lastPage = ''

  constructor(readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.maxAge !== undefined && cookie.maxAge <= 0) || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader } })
    this.remember(response)
    if (response.statusCode === 200) this.lastPage = response.body
    return response
  }

  /** Posts a form with the CSRF token of the last page (unless the fields bring their own). */
  async post(url: string, fields: Record<string, string | string[]> = {}, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const body = options.csrf === false || '_csrf' in fields ? fields : { _csrf: csrfFrom(this.lastPage), ...fields }
    const response = await this.app.inject({ method: 'POST', url, headers: { ...formHeaders, cookie: this.cookieHeader }, payload: form(body) })
    this.remember(response)
    return response
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login')
    return this.post('/login', { email, password })
  }
}

export const testPassword = 'correct horse battery staple'
let passwordHash: Promise<string> | undefined

/** An account with a known password (hashed once per test file: scrypt is slow on purpose). */
export async function makeUser(db: Kysely<Database>, role: Role, email: string, memberships: { regionIds?: number[]; partnerIds?: number[] } = {}): Promise<number> {
  passwordHash ??= hashPassword(testPassword)
  return createUser(db, { email, name: `${role} ${email.split('@')[0]}`, role, passwordHash: await passwordHash, ...memberships })
}
