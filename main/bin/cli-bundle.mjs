// Which CLI `npx pos-companion` runs, and how it loads the built one. Plain JavaScript: it runs
// before anything could compile TypeScript.
//
// The built CLI (build/cli/pos-companion.cjs, `npm run build` or `npx tsx main/tools/build.ts cli`)
// starts in a fraction of the time the sources take through tsx. It is run only while it matches
// the sources: its manifest (pos-companion.inputs.json) lists every file it was built from with
// size and mtime, and one that differs (a developer's edit, another `npm ci`) sends the command to
// the sources instead, so an edit takes effect at once, as a developer expects. Where there are no
// sources beside it (an installed copy), the bundle is what there is. No bundle: the sources.
//
// `status` (what POS scripts and monitoring call most) has a bundle of its own, status.cjs, built
// with the CLI and listed in the same manifest: it reads a till in its usual state without loading
// the rest of the CLI, and hands anything else to the whole CLI (main/cli/status.ts).
//
// Loading: the bundle is compiled through vm.Script with V8's code cache kept beside it
// (pos-companion.cjs.cache, written after a run that had none or had a stale one, and taken only
// for the bundle file it was made from: see bundleStamp), so the 2 MB of JavaScript is not parsed
// and compiled again at every start. A cache that cannot be written (a read-only install) only
// costs that time.
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import vm from 'node:vm';

/**
 * @typedef {{ bundle: string, quickStatus?: string, inputs: [string, number, number][] }} CliManifest
 * @typedef {{ size: number, mtimeMs: number } | null} FileFacts
 */

/**
 * True when every input the manifest lists still has its size and mtime.
 * @param {CliManifest} manifest
 * @param {(path: string) => FileFacts} facts the file's size and mtime, null when it is gone
 * @returns {boolean}
 */
export function matchesSources(manifest, facts) {
  for (const [path, size, mtimeMs] of manifest.inputs) {
    const f = facts(path);
    if (f === null || f.size !== size || f.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/**
 * The built CLI to run, or null to run the sources: the whole CLI's bundle, and the quick
 * `status` bundle built with it (null when the build made none).
 * @param {string} repoRoot the folder holding main/ and build/
 * @returns {{ bundle: string, quickStatus: string | null } | null}
 */
export function builtCli(repoRoot) {
  const dir = join(repoRoot, 'build', 'cli');
  let manifest;
  try {
    manifest = /** @type {CliManifest} */ (JSON.parse(readFileSync(join(dir, 'pos-companion.inputs.json'), 'utf8')));
  } catch {
    return null;
  }
  const bundle = join(dir, manifest.bundle);
  if (!existsSync(bundle)) return null;
  const quick = manifest.quickStatus ? join(dir, manifest.quickStatus) : null;
  const found = { bundle, quickStatus: quick !== null && existsSync(quick) ? quick : null };
  if (!existsSync(join(repoRoot, 'main', 'cli.ts'))) return found;
  // About 160 stats at every start: plain concatenation (the manifest's paths are relative, with
  // forward slashes, which every platform takes) and no exception for a missing file.
  const root = `${repoRoot}/`;
  const facts = (/** @type {string} */ path) => {
    const st = statSync(root + path, { throwIfNoEntry: false });
    return st === undefined ? null : { size: st.size, mtimeMs: st.mtimeMs };
  };
  return matchesSources(manifest, facts) ? found : null;
}

/**
 * The whole CLI's bundle to run, or null to run the sources (see builtCli).
 * @param {string} repoRoot the folder holding main/ and build/
 * @returns {string | null}
 */
export function builtCliToRun(repoRoot) {
  return builtCli(repoRoot)?.bundle ?? null;
}

/**
 * Which bundle a code cache was made from: its size, mtime and inode, in the cache file's first
 * line. V8 checks only the length of the source a cache was made for, and a cache made for
 * another source of the same length is taken and runs the old code (a one-character fix,
 * rebuilt); a rebuild or a reinstall replaces the file, which changes its inode and mtime.
 * @param {string} bundle
 * @returns {string}
 */
export function bundleStamp(bundle) {
  const st = statSync(bundle);
  return `pos-companion-cache ${st.size} ${st.mtimeMs} ${st.ino}\n`;
}

/** @param {string} file @returns {Buffer | undefined} */
function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The V8 data of a cache file made for the bundle `stamp` names, else undefined (none, or made
 * for another build).
 * @param {Buffer | undefined} file the cache file's bytes
 * @param {string} stamp see bundleStamp
 * @returns {Buffer | undefined}
 */
export function cacheFor(file, stamp) {
  if (file === undefined) return undefined;
  const head = Buffer.from(stamp);
  return file.length > head.length && file.subarray(0, head.length).equals(head) ? file.subarray(head.length) : undefined;
}

/**
 * Loads a CommonJS bundle as `require(bundle)` would, compiled with V8's code cache kept beside it
 * (`bundle`.cache, written at exit after a run that had none or had a stale one). Returns its exports.
 * @param {string} bundle
 * @returns {Record<string, unknown>}
 */
export function loadBuiltBundle(bundle) {
  const cacheFile = `${bundle}.cache`;
  const source = readFileSync(bundle, 'utf8');
  const stamp = bundleStamp(bundle);
  const cachedData = cacheFor(readCache(cacheFile), stamp);
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the command ran: the functions it used are compiled by then and go into the cache.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(stamp), script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // read-only or full: the next start compiles again
      }
    });
  }
  const mod = new Module(bundle);
  mod.filename = bundle;
  const require = createRequire(bundle);
  /** @type {Function} */ (script.runInThisContext()).call(mod.exports, mod.exports, require, mod, bundle, dirname(bundle));
  return mod.exports;
}

/**
 * Runs a CommonJS bundle as `node bundle` would, compiled with the code cache beside it.
 * @param {string} bundle
 */
export function runBuiltCli(bundle) {
  loadBuiltBundle(bundle);
}

/**
 * Runs the built CLI for `argv` (the arguments after the program name): a plain `status` through
 * the quick status bundle when there is one and it can answer, else the whole CLI.
 * @param {{ bundle: string, quickStatus: string | null }} built
 * @param {readonly string[]} argv
 */
export function runBuilt(built, argv) {
  if (built.quickStatus !== null && argv[0] === 'status') {
    const quick = /** @type {{ runQuickStatus?: (argv: readonly string[]) => boolean }} */ (loadBuiltBundle(built.quickStatus));
    if (quick.runQuickStatus?.(argv) === true) return;
  }
  runBuiltCli(built.bundle);
}
