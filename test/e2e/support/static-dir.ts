// Where the end-to-end tests and the screen benchmark build the screen (see global-setup.ts).
import { resolve } from 'node:path';

export const E2E_STATIC_DIR = resolve(import.meta.dirname, '../../../build/e2e-renderer');
