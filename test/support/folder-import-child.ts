// The process the folder-import crash test kills: a till that imports its inbox and dies by
// SIGKILL right after a file's import committed, before the file is moved, as a power cut would.
// Usage: folder-import-child.ts <dataDir> <inbox>
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { FolderImport } from '../../main/integration/folder-import.ts';
import { SaleIntake } from '../../main/integration/intake.ts';
import { OrderStore } from '../../main/orders/order-store.ts';

const [dataDir, inbox] = process.argv.slice(2);
if (!dataDir || !inbox) {
  process.stderr.write('usage: folder-import-child.ts <dataDir> <inbox>\n');
  process.exit(64);
}
const clock = { now: () => Date.now() };
const db = openDatabase(join(dataDir, 'pos-companion.db'), { clock });
const settings = new SettingsStore(db);
const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
const intake = new SaleIntake({ db, clock, capture: (i) => orders.captureOrder(i) });
const folder = new FolderImport({
  db,
  intake,
  inbox: () => inbox,
  clock,
  onCommitted: () => process.kill(process.pid, 'SIGKILL'),
});
folder.pass();
folder.pass();
process.stderr.write('the import never committed\n');
process.exit(1);
