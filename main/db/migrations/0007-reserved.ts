// A reserved step: the schema number 7 belongs to the points-redemption work (holds), which lands
// separately; this step changes nothing so the steps stay contiguous until it does. When that step
// is merged, it replaces this file (a till never runs a released build with this placeholder).
import type { Migration } from './types.ts';

export const migration0007: Migration = {
  version: 7,
  name: 'reserved',
  up() {},
};
