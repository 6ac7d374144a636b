// Downloads in the desktop app. The only download the screen starts is an export of the queue
// (CSV, or JSON): the page builds a blob of the text main gave it and clicks a link to it. Electron
// then asks the session what to do. This handler lets through exactly that: a blob made by the
// app's own page, named `.csv` or `.json`, saved where the cashier picks in the system's save
// dialog (filters for that one type, the Downloads folder first). Anything else (another origin, a
// URL that is not a blob, an executable name) is cancelled before a byte is written.
import { basename, extname, join } from 'node:path';
import { app, type DownloadItem, type Session, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol.ts';

type AllowedExtension = '.csv' | '.json';
const ALLOWED: Record<AllowedExtension, { name: string; extensions: string[] }> = {
  '.csv': { name: 'CSV', extensions: ['csv'] },
  '.json': { name: 'JSON', extensions: ['json'] },
};

export type DownloadDecision = { allow: true; filename: string; extension: AllowedExtension } | { allow: false; reason: string };

/** By prefix: WHATWG URL gives a custom scheme's origin as "null". */
const isAppPage = (url: string): boolean => url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);

/**
 * Pure: may this download go ahead? `url` is the download's URL, `pageUrl` the URL of the page that
 * started it. Allowed only for `blob:app://pos-companion/<id>` started by the app's own page, with
 * a file name ending `.csv` or `.json`; the name returned is a bare file name (no folders, no
 * control or reserved characters), so the save dialog never proposes a path the page chose.
 */
export function decideDownload(url: string, suggestedName: string, pageUrl: string): DownloadDecision {
  if (!url.startsWith(`blob:${APP_ORIGIN}/`)) return { allow: false, reason: 'not a blob of the app page' };
  if (!isAppPage(pageUrl)) return { allow: false, reason: 'not started by the app page' };
  const filename = basename(suggestedName.replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .trim();
  const extension = extname(filename).toLowerCase();
  if (!Object.hasOwn(ALLOWED, extension) || filename.length <= extension.length)
    return { allow: false, reason: 'only .csv and .json exports are saved' };
  return { allow: true, filename, extension: extension as AllowedExtension };
}

export interface DownloadLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Installs the session's `will-download` policy (see the file comment). */
export function handleDownloads(ses: Session, logger: DownloadLogger): void {
  ses.on('will-download', (event, item: DownloadItem, contents: WebContents | undefined) => {
    const decision = decideDownload(item.getURL(), item.getFilename(), contents?.getURL() ?? '');
    if (!decision.allow) {
      event.preventDefault();
      logger.warn({ reason: decision.reason }, 'download refused');
      return;
    }
    // No save path set: Electron shows the system's save dialog with these options.
    item.setSaveDialogOptions({
      title: 'Save export',
      defaultPath: join(app.getPath('downloads'), decision.filename),
      filters: [ALLOWED[decision.extension]],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    item.once('done', (_e, state) => logger.info({ state, extension: decision.extension }, 'export download finished'));
  });
}
