// Zod compiles a fast parser for each object schema with `new Function`, and probes once whether
// it may. The screen runs under a Content-Security-Policy without 'unsafe-eval', where even the
// probe is reported as a violation. Imported first by every bundle that builds the contract's
// schemas in a page (renderer/main.tsx, preload/index.ts), before any schema exists: a schema
// reads this setting when it is created. Parsing stays correct, only the JIT is off.
import { z } from 'zod';

z.config({ jitless: true });
