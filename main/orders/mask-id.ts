// Customer identifiers in log lines are masked: a log is for finding an order and diagnosing a
// failure, and a mobile number in it would be personal data copied to wherever logs go. The mask
// keeps enough to tell customers apart when reading a log next to the screen (the first and last
// digits, the prefix), never the whole number: `+966500001234` -> `+9665*****234`,
// `mobile_966500001234` -> `mobile_9665*****234`.

/** A `+` or a short letters-and-underscore prefix before a digit (`mobile_`, `cust_`): kept. */
const PREFIX = /^(\+|[A-Za-z]{1,10}_(?=\d))/;

/**
 * The id with its middle replaced by `*`: at most the first 4 and the last 3 characters after the
 * prefix are kept, and never more than a third (head) and a quarter (tail) of them, so a short id
 * is mostly hidden. The length is kept.
 */
export function maskCustomerId(id: string): string {
  const prefix = PREFIX.exec(id)?.[0] ?? '';
  const body = id.slice(prefix.length);
  const head = Math.min(4, Math.floor(body.length / 3));
  const tail = Math.min(3, Math.floor(body.length / 4));
  return prefix + body.slice(0, head) + '*'.repeat(body.length - head - tail) + body.slice(body.length - tail);
}

/** `text` with each of `ids` (and the digits of a prefixed one) replaced by its mask. */
export function maskIdsIn(text: string, ids: Iterable<string>): string {
  let out = text;
  for (const id of ids) {
    const body = id.slice(PREFIX.exec(id)?.[0].length ?? 0);
    for (const form of body.length >= 6 && body !== id ? [id, body] : [id]) {
      if (form.length >= 4 && out.includes(form)) out = out.split(form).join(maskCustomerId(form));
    }
  }
  return out;
}
