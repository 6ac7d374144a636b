// Ids for orders and refunds: uuid v7 (time-ordered, unique without coordination), made by the
// `uuid` package with the same monotonic rule it applies itself (a new random sequence each
// millisecond, +1 within one), but with its random bytes cut from a pool filled 256 ids at a time.
// The package asks the OS for 16 bytes per id; on the capture path that call was the larger part
// of making an id. The bytes still come from the OS's CSPRNG and each is used once.
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const ID_BYTES = 16;
const POOL_IDS = 256;

export interface Uuid7Source {
  (): string;
}

/** A uuid v7 generator; ids from one generator are strictly increasing, as the package promises. */
export function uuid7Source(now: () => number = Date.now): Uuid7Source {
  const pool = new Uint8Array(ID_BYTES * POOL_IDS);
  let next = pool.length;
  let msecs = -Infinity;
  let seq = 0;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    const random = pool.subarray(next, next + ID_BYTES);
    next += ID_BYTES;
    const t = now();
    // The package's rule (updateV7State): a fresh 31-bit sequence from the random bytes on a new
    // millisecond; within the same one (or a clock step back) the sequence counts up, and its
    // overflow moves the id's time one millisecond on.
    if (t > msecs) {
      seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
      msecs = t;
    } else {
      seq = (seq + 1) | 0;
      if (seq === 0) msecs += 1;
    }
    return uuidv7({ random, msecs, seq });
  };
}
