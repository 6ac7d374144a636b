// How a secret (a Gameball key, the browser-mode session token) reaches a CLI command: from stdin
// (`-`), from a file, or from the environment; never as an argument, because `ps` shows every
// process's arguments to every user of the computer and the shell keeps them in its history.
import { readFileSync } from 'node:fs';

/** A secret given the wrong way, or not readable: the message says how to give it. Exit code 2. */
export class SecretInputError extends Error {
  readonly code = 'SECRET_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'SecretInputError';
  }
}

export interface SecretArg {
  /** What the secret is, for messages: "key", "session token". */
  what: string;
  /** The value given as an argument, if any (`-` means: read stdin). */
  arg: string | undefined;
  /** `--from-file FILE` (or the command's equivalent). */
  file?: string | undefined;
  /** How the command says it should be given instead, e.g. `pos-companion config set apiKey -`. */
  howTo: string;
  /** Arguments that are not secrets and may stay on the command line (e.g. "null" to clear a key). */
  allowed?: readonly string[];
  readStdin?: () => string;
  readFile?: (path: string) => string;
}

const stdinText = (): string => readFileSync(0, 'utf8');
const fileText = (path: string): string => readFileSync(path, 'utf8');

/**
 * The secret's text, trimmed of surrounding whitespace (a trailing newline from `echo` or an
 * editor), or undefined when none was given (no argument, no file). Refuses, with SecretInputError:
 * any argument other than `-` and `allowed` (the value is never repeated in the message), an
 * argument together with a file, and an unreadable file.
 */
export function readSecretArg(s: SecretArg): string | undefined {
  if (s.arg !== undefined && s.arg !== '-' && !(s.allowed ?? []).includes(s.arg)) {
    throw new SecretInputError(
      `a ${s.what} on the command line is visible to every user of this computer (ps) and stays in the shell history, so it is refused and nothing was changed. ${s.howTo}`,
    );
  }
  if (s.arg !== undefined && s.file !== undefined)
    throw new SecretInputError(`give the ${s.what} one way only: - (stdin) or a file, not both.`);
  if (s.file !== undefined) {
    try {
      return (s.readFile ?? fileText)(s.file).trim();
    } catch (err) {
      throw new SecretInputError(`cannot read ${s.file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was changed.`);
    }
  }
  if (s.arg === '-') return (s.readStdin ?? stdinText)().trim();
  return s.arg;
}
