/** The names of the staff cookies; decorated on the staff scope as `app.staffCookies`. */
export interface CookieNames {
  session: string
  csrf: string
  secure: boolean
}

/**
 * Over https the cookies get the __Host- prefix (Secure, Path=/, no Domain: another
 * subdomain cannot set or overwrite them); plain http is for a laptop on localhost.
 */
export function cookieNames(publicBaseUrl: string): CookieNames {
  const secure = publicBaseUrl.startsWith('https:')
  return { session: secure ? '__Host-session' : 'session', csrf: secure ? '__Host-csrf' : 'csrf', secure }
}
