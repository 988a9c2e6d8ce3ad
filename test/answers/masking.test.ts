import t from 'tap'
import fc from 'fast-check'
import { emailMask, hasContactDetails, maskContacts, phoneMask } from '../../src/answers/masking.ts'
import { formatPhone, parseContactValue } from '../../src/followup/contact-value.ts'

t.test('Belgian phone numbers in every common format are masked', async (t) => {
  const phones = [
    '+32 474 12 34 56',
    '+32474123456',
    '+32 (0)474 12 34 56',
    '+32 4 74 12 34 56',
    '0032 474 12 34 56',
    '0032474123456',
    '0474 12 34 56',
    '0474/12.34.56',
    '0474/123456',
    '0474.12.34.56',
    '0474-12-34-56',
    '0474123456',
    '(0474) 12 34 56',
    '474 12 34 56',
    '02 123 45 67',
    '02/123.45.67',
    '09 123 45 67',
    '011 23 45 67',
    '012/34.56.78',
    '+32 2 123 45 67',
    '0032 9 123 45 67',
    '+31 6 12345678',
    '+33 6 12 34 56 78',
  ]
  for (const phone of phones) {
    for (const text of [phone, `bel me op ${phone} aub`, `${phone}.`, `(tel: ${phone})`]) {
      const masked = maskContacts(text)
      t.ok(masked.includes(phoneMask), `${JSON.stringify(text)} → ${JSON.stringify(masked)}`)
      t.notOk(/\d{3}/.test(masked), `no run of digits is left in ${JSON.stringify(masked)}`)
    }
  }
})

t.test('e-mail addresses, also written to fool robots, are masked', async (t) => {
  const emails = ['jan.peeters@gmail.com', 'Jan_Peeters+leer@telenet.be', 'an@sub.domein.vlaanderen', 'jan at gmail dot com', 'jan(at)telenet(dot)be', 'jan [at] skynet [dot] be', 'éloïse@exemple.fr']
  for (const email of emails) {
    const masked = maskContacts(`mail naar ${email}, bedankt`)
    t.equal(masked, `mail naar ${emailMask}, bedankt`, email)
  }
})

t.test('ordinary text, dates, amounts and ages are left alone', async (t) => {
  const texts = [
    'Ik wil leren naaien',
    'op 01/02/2024 om 10u',
    'Ik ben 45 jaar en heb 3 kinderen',
    'Het kost 1000 euro',
    'I am good at cooking. Also sewing',
    'Cursus 2024-2025 in lokaal 12',
    'postcode 3700',
    'أريد أن أتعلم الخياطة',
  ]
  for (const text of texts) {
    t.equal(maskContacts(text), text, text)
    t.notOk(hasContactDetails(text))
  }
})

t.test('property: a generated Belgian mobile number inside any words is always masked', async (t) => {
  const separator = fc.constantFrom(' ', '.', '/', '-', '')
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.constantFrom('0', '+32 ', '0032 ', '+32(0)'), separator, fc.string({ maxLength: 20 }), (n, prefix, sep, words) => {
      const digits = String(n).padStart(7, '0')
      const phone = `${prefix}47${digits[0]}${sep}${digits.slice(1, 3)}${sep}${digits.slice(3, 5)}${sep}${digits.slice(5)}`
      const text = `${words.replace(/[\d@+]/g, 'x')} ${phone} ok`
      return !maskContacts(text).includes(`${digits.slice(1, 3)}${sep}${digits.slice(3, 5)}`)
    }),
  )
})

t.test('contact values are validated and normalised; phone numbers read back the Belgian way', async (t) => {
  t.same(parseContactValue('0474/12.34.56'), { channel: 'phone', value: '+32474123456' })
  t.same(parseContactValue(' Jan@Example.be '), { channel: 'email', value: 'jan@example.be' })
  for (const bad of ['12345', '0474 12 34', '+32 474 12 34 56 78', 'jan@', '@example.be', 'jan@example', 'jan @example.be', '0474 12 34 5x', '+32 1 23', '']) {
    t.equal(parseContactValue(bad), undefined, JSON.stringify(bad))
  }
  t.equal(formatPhone('+32474123456'), '0474 12 34 56')
  t.equal(formatPhone('+3221234567'), '02 123 45 67')
  t.equal(formatPhone('+3211234567'), '011 23 45 67')
  t.equal(formatPhone('+33612345678'), '+33612345678')
})

t.test('disguises: digits of other scripts, invisible and dash separators, spaced and fullwidth @', async (t) => {
  const masked: [string, string][] = [
    ['اتصل ٠٤٧٤ ١٢ ٣٤ ٥٦ شكرا', `اتصل ${phoneMask} شكرا`],
    ['۰۴۷۴۱۲۳۴۵۶', phoneMask],
    ['０４７４ １２ ３４ ５６', phoneMask],
    ['0474\u200b12\u200b34\u200b56', phoneMask],
    ['0474–12–34–56', phoneMask],
    ['0474_12_34_56', phoneMask],
    ['＋32 474 12 34 56', phoneMask],
    ['jan @ voorbeeld . be', emailMask],
    ['jan＠voorbeeld.be', emailMask],
    ['jan at gmail punt com', emailMask],
    ['jan\u200b@\u200bgmail.com', emailMask],
    ['Mail jan@gmail.com. Dank je', `Mail ${emailMask}. Dank je`],
  ]
  for (const [text, expected] of masked) t.equal(maskContacts(text), expected, JSON.stringify(text))
  for (const text of ['Ik ga 3 keer, sinds 2024', 'أذهب ٣ مرات منذ ٢٠٢٤', 'Cursus 2024–2025 in lokaal 12', 'ﬁets 2024']) t.equal(maskContacts(text), text, `${JSON.stringify(text)} is left as written`)
})
