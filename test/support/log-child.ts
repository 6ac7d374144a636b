// A process that logs to a file (argv[2]) and, when told (an IPC message), writes many lines and
// exits without closing its logger: what a CLI command does when it ends on an error. Used to show
// that a full disk neither crashes nor holds up the exit (test/integration/log-file.test.ts).
import { createLogger } from '../../main/log.ts';

const file = process.argv[2];
if (!file || !process.send) throw new Error('usage: a child process with IPC, argv[2] = log file');
const logger = createLogger({ file });
logger.info('started');
setTimeout(() => {
  process.send?.('ready');
  process.once('message', () => {
    for (let i = 0; i < 2000; i++) logger.info({ i }, 'while the disk is full');
    setTimeout(() => process.exit(0), 300);
  });
}, 300);
