import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../../main/orders/csv-cells.ts';

describe('spreadsheetSafe', () => {
  it.each([
    ['name', '=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ['receiptNo', "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['receiptNo', '-2+3', "'-2+3"],
    ['customerId', '@SUM(A1)', "'@SUM(A1)"],
    ['attentionMessage', '\t=1+1', "'\t=1+1"],
    ['discardReason', '\r=1+1', "'\r=1+1"],
    // A text column is text, even when it looks like a number.
    ['receiptNo', '-12.50', "'-12.50"],
    ['name', '+966500001234', "'+966500001234"],
    // Our own numbers stay numbers (strict shapes only).
    ['totalPaid', '12.50', '12.50'],
    ['rewardedPoints', -5, -5],
    ['rewardedPoints', '-5', '-5'],
    ['mobile', '+966500001234', '+966500001234'],
    ['mobile', '+1-2', "'+1-2"],
    ['totalPaid', '-12.50', "'-12.50"],
    ['totalPrice', '=1+1', "'=1+1"],
    ['rewardedPoints', '-5+cmd', "'-5+cmd"],
    // Nothing to do.
    ['name', 'Sara =1', 'Sara =1'],
    ['name', ' =1+1', ' =1+1'],
    ['name', null, null],
    ['name', undefined, undefined],
    ['name', '', ''],
  ])('%s %j -> %j', (column, value, expected) => {
    expect(spreadsheetSafe(column, value)).toEqual(expected);
  });
});
