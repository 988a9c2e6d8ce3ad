import t from 'tap'
import { emergingThemes, twoProportionZ } from '../../src/answers/emerging.ts'

t.test('the two-proportion z-test', async (t) => {
  // 31 of 240 now against 9 of 210 before: pooled p = 40/450.
  const p = 40 / 450
  const expected = (31 / 240 - 9 / 210) / Math.sqrt(p * (1 - p) * (1 / 240 + 1 / 210))
  t.equal(twoProportionZ(31, 240, 9, 210), expected)
  t.ok(expected > 3)
  t.equal(twoProportionZ(1, 10, 0, 0), null, 'nothing to compare with')
  t.equal(twoProportionZ(0, 10, 0, 10), null, 'no variance')
})

t.test('a theme is flagged only when it is frequent enough and its rise is unlikely to be chance', async (t) => {
  const themes = emergingThemes(
    [
      { themeId: 1, current: 31, previous: 9 }, // a clear rise
      { themeId: 2, current: 4, previous: 0 }, // a rise, but fewer than k answers
      { themeId: 3, current: 20, previous: 17 }, // about the same share
      { themeId: 4, current: 10, previous: 30 }, // falling
    ],
    { current: 240, previous: 210 },
    5,
  )
  t.same(themes.filter((theme) => theme.emerging).map((theme) => theme.themeId), [1])
  t.equal(themes[0]!.themeId, 1, 'flagged themes come first')
  t.equal(themes.find((theme) => theme.themeId === 2)!.emerging, false)
})
