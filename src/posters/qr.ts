import QRCode from 'qrcode'

/**
 * The URL printed in a poster's QR code. Scheme and host are case-insensitive, and the
 * code is matched case-insensitively, so the whole URL can be upper case: that keeps the
 * QR in alphanumeric mode, one version smaller (version 2 instead of 3 for a typical host)
 * and so easier to scan from a distance. A path in PUBLIC_BASE_URL keeps its case.
 */
export function qrUrl(publicBaseUrl: string, code: string): string {
  const url = new URL(publicBaseUrl)
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol.toUpperCase()}//${url.host.toUpperCase()}${path}/Q/${code}`
}

/** The short address printed under the QR for people who type it: `leervraag.be/q/k7m2qx`. */
export function shortUrl(publicBaseUrl: string, code: string): string {
  const url = new URL(publicBaseUrl)
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.host}${path}/q/${code}`.toLowerCase()
}

export type ErrorCorrection = 'M' | 'Q'

/** The QR as SVG; error correction M by default, and the 4-module quiet zone the spec asks for. */
export function qrSvg(url: string, errorCorrectionLevel: ErrorCorrection = 'M'): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel, margin: 4 })
}
