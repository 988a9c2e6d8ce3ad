import t from 'tap'
import { csvDocument, csvNumber, csvText } from '../../src/http/csv.ts'

t.test('text that a spreadsheet would run as a formula is defused; numbers we computed stay numbers', async (t) => {
  for (const value of ['=1+1', '+1', '-1+1+cmd|\' /C calc\'!A0', '-2', '@SUM(A1)', '  =1', '\u3000=1', '＝1', '＋1', '－1', '＠A1', '\t1', '\r1', '\n1']) {
    t.match(csvText(value, ';'), /^"?'/, JSON.stringify(value))
  }
  for (const value of ['Bib Tongeren', '2026-11-02', '< 5', '•', 'a=b', 'Café - Hasselt', '']) t.equal(csvText(value, ';'), value, JSON.stringify(value))
  t.equal(csvText('a;b "c"', ';'), '"a;b ""c"""', 'quoted when it holds the separator or a quote')
  t.equal(csvText('=a;b', ';'), `"'=a;b"`, 'defused and quoted')
  t.equal(csvDocument([['x', csvNumber(-3), csvNumber(45, 1), csvNumber(3.456, 2)]]), '\uFEFFx;-3;45,0;3,46\r\n', 'numbers in the Belgian format, a negative one included')
  t.equal(csvDocument([[csvNumber(45, 1)]], ','), '\uFEFF45.0\r\n', 'a decimal point when the comma separates fields')
})
