// The till id's rule, in plain JavaScript: settings.ts builds its schema from it, and the quick
// `status` (main/cli/status.ts), which loads no schema library, checks a stored id with it.
export const TILL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const TILL_ID_RULE = 'a till id is 1-32 letters, digits, "-" or "_", starting with a letter or digit';
