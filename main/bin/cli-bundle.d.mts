// Types of cli-bundle.mjs (plain JavaScript: it runs before anything could compile TypeScript).
export interface CliManifest {
  bundle: string;
  /** The quick `status` bundle built with it (main/cli/status.ts); absent in an older build. */
  quickStatus?: string;
  /** [path from the repository, size, mtimeMs] of every file the bundles were built from. */
  inputs: [string, number, number][];
}
export type FileFacts = { size: number; mtimeMs: number } | null;
export interface BuiltCli {
  bundle: string;
  quickStatus: string | null;
}
export function matchesSources(manifest: CliManifest, facts: (path: string) => FileFacts): boolean;
export function builtCli(repoRoot: string): BuiltCli | null;
export function builtCliToRun(repoRoot: string): string | null;
export function loadBuiltBundle(bundle: string): Record<string, unknown>;
export function runBuiltCli(bundle: string): void;
export function runBuilt(built: BuiltCli, argv: readonly string[]): void;
export function bundleStamp(bundle: string): string;
export function cacheFor(file: Buffer | undefined, stamp: string): Buffer | undefined;
