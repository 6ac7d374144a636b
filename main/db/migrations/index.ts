// Every schema step, in order. Append new steps at the end; never reorder or edit released ones.
import { migration0001 } from './0001-initial.ts';
import { migration0002 } from './0002-customer-cache.ts';
import { migration0003 } from './0003-client-ref-and-indexes.ts';
import { migration0004 } from './0004-database-marker.ts';
import { migration0005 } from './0005-clock-check.ts';
import { migration0006 } from './0006-referrer-customer-id.ts';
import { migration0008 } from './0008-loyalty-panel.ts';
import { migration0007 } from './0007-points-holds.ts';
import { migration0009 } from './0009-pos-sales.ts';
import { migration0010 } from './0010-receipts-and-imports.ts';
import { migration0011 } from './0011-outbox-unsure-index.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
];

/** The schema version this build writes: the last step's number. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
