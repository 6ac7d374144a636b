// Which batch items refused as dated in Gameball's future (9007) go once more in a batch
// (main/sync/batch-job.ts): the rest go singly, one post each.
import { expect, test } from 'vitest';
import { worthSendingAgain } from '../../../main/sync/batch-job.ts';

const t = (iso: string) => Date.parse(iso);

test.each<[string, number, number, number, boolean]>([
  [
    'its date can go earlier: again, re-dated',
    t('2026-12-03T10:00:05.500Z'),
    t('2026-12-03T10:00:04.000Z'),
    t('2026-12-03T10:00:04.000Z'),
    true,
  ],
  [
    "Gameball's clock has passed its date since (the answer comes after the items): again, as it was",
    t('2026-12-03T10:00:04.300Z'),
    t('2026-12-03T10:00:04.300Z'),
    t('2026-12-03T10:00:05.000Z'),
    true,
  ],
  [
    'exactly at the date Gameball now gives: again',
    t('2026-12-03T10:00:05.000Z'),
    t('2026-12-03T10:00:05.000Z'),
    t('2026-12-03T10:00:05.000Z'),
    true,
  ],
  [
    "still ahead of Gameball's clock and no earlier date to give: singly",
    t('2026-12-03T10:00:05.300Z'),
    t('2026-12-03T10:00:05.300Z'),
    t('2026-12-03T10:00:05.000Z'),
    false,
  ],
  ['a date that does not read: singly', Number.NaN, Number.NaN, t('2026-12-03T10:00:05.000Z'), false],
])('%s', (_name, before, after, gameballNow, expected) => {
  expect(worthSendingAgain(before, after, gameballNow)).toBe(expected);
});
