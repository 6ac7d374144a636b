// Types of cli-bundle.mjs (plain JavaScript: it runs before anything could compile TypeScript).
export interface CliManifest {
  bundle: string;
  /** [path from the repository, size, mtimeMs] of every file the bundle was built from. */
  inputs: [string, number, number][];
}
export type FileFacts = { size: number; mtimeMs: number } | null;
export function matchesSources(manifest: CliManifest, facts: (path: string) => FileFacts): boolean;
export function builtCliToRun(repoRoot: string): string | null;
export function runBuiltCli(bundle: string): void;
