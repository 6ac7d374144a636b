// Queue: every order the till holds with its state, searchable and filterable, paged from the
// engine and virtualised so 100,000 orders scroll like 100. Arrow keys move through the rows,
// Enter opens one; needs-attention orders can be retried, corrected and resent, or discarded.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderState, OrderView, SyncStatus } from '../../preload/api.ts';
import { usePinPrompt } from '../components/pin-dialog.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { formatMoney, formatNumber, formatShortDateTime } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { downloadText } from '../lib/download.ts';
import { shortId } from '../lib/short-id.ts';
import { ApiCallError, unwrap, useApi } from '../state/api-context.tsx';
import { errorText } from '../state/error-text.ts';
import { OrderPages } from '../state/order-pages.ts';
import { withStorePin } from '../state/store-pin.ts';
import { OrderDrawer } from './order-drawer.tsx';
import { onEvent } from '../state/event-handler.ts';

type Filter = OrderState | 'all';
const FILTERS: readonly Filter[] = ['all', 'pending', 'sending', 'attention', 'synced', 'discarded'];
export const QUEUE_ROW_HEIGHT = 48;

export function QueueScreen({ status }: { status: SyncStatus | null }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [filter, setFilter] = useState<Filter>('all');
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Why sync-now, retry or export was refused, in the till's language (a cancelled PIN prompt is not an error).
  const [error, setError] = useState<string | null>(null);
  // Set from a "Sync now" press until the queue has nothing left to send: each status then says where it stands.
  const [following, setFollowing] = useState<SyncStatus | null>(null);
  // Where the sync stands since that press (below the notice, which keeps saying what was asked).
  const [syncLine, setSyncLine] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const pinPrompt = usePinPrompt();

  useEffect(() => {
    const id = setTimeout(() => setSearch(searchText), 250);
    return () => clearTimeout(id);
  }, [searchText]);

  const pages = useMemo(
    () => new OrderPages((request) => unwrap(api.listOrders(request)), { state: filter, search }),
    [api, filter, search],
  );
  useSyncExternalStore(pages.subscribe, pages.getVersion);
  const total = pages.total ?? 0;

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => QUEUE_ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? pages.pageSize - 1;

  useEffect(() => {
    pages.ensure(first, last);
  }, [pages, first, last]);

  // The engine pushes a status on every change: reload what is in view, at most twice a second.
  const viewRef = useRef({ first, last });
  viewRef.current = { first, last };
  const lastRefresh = useRef(0);
  // The status the screen opened with is already reflected in the first page load.
  const openedWith = useRef(status);
  useEffect(() => {
    if (!status || status === openedWith.current) return;
    const wait = Math.max(0, lastRefresh.current + 500 - performance.now());
    const id = setTimeout(() => {
      lastRefresh.current = performance.now();
      pages.refresh(viewRef.current.first, viewRef.current.last);
    }, wait);
    return () => clearTimeout(id);
  }, [pages, status]);

  useEffect(() => {
    setSelected(0);
    virtualizer.scrollToOffset(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pages]);

  function onListKey(e: ReactKeyboardEvent) {
    if (total === 0) return;
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      const next = Math.min(total - 1, Math.max(0, selected + step));
      setSelected(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      const next = e.key === 'Home' ? 0 : total - 1;
      setSelected(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if (e.key === 'Enter') {
      const row = pages.row(selected);
      if (row) {
        e.preventDefault();
        setOpenId(row.orderId);
      }
    }
  }

  /** Runs the sync at once (every waiting order, now), and reports what it then does. */
  async function syncNow() {
    setError(null);
    setSyncLine(null);
    const before = status;
    const waiting = before ? before.counts.pending + before.counts.sending : 0;
    const sent = await unwrap(api.syncNow()).then(
      () => true,
      (err: unknown) => {
        setError(errorText(t, err));
        return false;
      },
    );
    if (!sent) return;
    setNotice(waiting === 0 ? t('queue.syncNothing') : t('queue.syncSending', { count: formatNumber(waiting, lang) }));
    setFollowing(before);
  }

  // After "Sync now": each new status says where the sync stands, until nothing is left to send.
  useEffect(() => {
    if (!following || !status || status === following) return;
    const waiting = status.counts.pending + status.counts.sending;
    const attention = formatNumber(status.counts.attention, lang);
    if (waiting === 0) {
      setSyncLine(t('queue.syncDone', { attention }));
      setFollowing(null);
    } else if (!status.online) setSyncLine(t('queue.syncOffline', { count: formatNumber(waiting, lang) }));
    else setSyncLine(t('queue.syncProgress', { count: formatNumber(waiting, lang), attention }));
  }, [following, status, t, lang]);

  /** Puts every needs-attention order (and refund) back in the queue to be sent again, unchanged. */
  async function retryAttention() {
    setError(null);
    setFollowing(null);
    setSyncLine(null);
    const r = await unwrap(api.retryOrders({ all: true })).catch((err: unknown) => {
      setError(errorText(t, err));
      return null;
    });
    if (r) setNotice(t('queue.retried', { count: formatNumber(r.count, lang) }));
  }

  async function exportCsv() {
    const state = filter === 'pending' || filter === 'attention' || filter === 'synced' ? filter : 'all';
    // Every customer's details in one file: with a store PIN set, main asks for it first.
    setError(null);
    const result = await withStorePin(
      (pin) => api.exportOrders(pin === undefined ? { state, format: 'csv' } : { state, format: 'csv', pin }),
      pinPrompt.ask,
    ).catch(() => null);
    if (result && !result.ok) setError(errorText(t, new ApiCallError(result.error)));
    if (!result?.ok) return;
    const file = result.value;
    downloadText(file.filename, file.mimeType, file.content);
    setNotice(t('queue.exported', { file: file.filename }));
  }

  const counts = status?.counts;
  const countOf = (f: Filter) => (counts ? (f === 'all' ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[f]) : null);

  return (
    <div className="queue">
      <div className="queue-main card">
        <div className="queue-head">
          <h1 className="card-title">{t('queue.title')}</h1>
          <div className="queue-actions">
            <button type="button" className="btn" onClick={onEvent(syncNow)} disabled={!counts} data-testid="sync-now">
              {t('queue.syncNow')}
            </button>
            <button
              type="button"
              className="btn"
              onClick={onEvent(retryAttention)}
              disabled={!counts || counts.attention === 0}
              data-testid="retry-attention"
            >
              {t('queue.retryAttention', { count: formatNumber(counts?.attention ?? 0, lang) })}
            </button>
            <button type="button" className="btn" onClick={onEvent(exportCsv)} data-testid="export-csv">
              {t('queue.export')}
            </button>
          </div>
        </div>
        <div className="queue-toolbar">
          <label className="search">
            <span className="visually-hidden">{t('queue.search')}</span>
            <input
              ref={searchRef}
              type="search"
              className="input"
              placeholder={t('queue.searchPlaceholder')}
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  scrollRef.current?.focus();
                }
              }}
              data-testid="queue-search"
            />
          </label>
          <div className="segmented" role="group" aria-label={t('queue.filter')}>
            {FILTERS.map((f) => (
              <button
                key={f}
                type="button"
                aria-pressed={filter === f}
                onClick={() => setFilter(f)}
                data-testid={`filter-${f}`}
                className={`seg seg-${f}`}
              >
                {t(`state.${f}`)}
                {countOf(f) !== null && <span className="seg-count">{formatNumber(countOf(f) ?? 0, lang)}</span>}
              </button>
            ))}
          </div>
        </div>
        {notice && (
          <p className="notice" role="status" data-testid="queue-notice">
            {notice}
          </p>
        )}
        {syncLine && (
          <p className="notice" role="status" data-testid="queue-sync-status">
            {syncLine}
          </p>
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="queue-error">
            {error}
          </p>
        )}
        {pinPrompt.dialog}

        <div className="grid-head" role="presentation">
          <span>{t('queue.colTime')}</span>
          <span>{t('queue.colOrder')}</span>
          <span>{t('queue.colCustomer')}</span>
          <span className="num">{t('queue.colAmount')}</span>
          <span>{t('queue.colReferral')}</span>
          <span>{t('queue.colState')}</span>
        </div>
        <div
          ref={scrollRef}
          className="grid-scroll"
          role="grid"
          aria-label={t('queue.title')}
          aria-rowcount={total}
          aria-activedescendant={total > 0 ? `queue-row-${selected}` : undefined}
          tabIndex={0}
          onKeyDown={onListKey}
          data-testid="queue-grid"
          data-total={pages.total ?? ''}
        >
          {pages.total === 0 && <p className="grid-empty">{t('queue.empty')}</p>}
          <div className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = pages.row(item.index);
              return (
                <QueueRow
                  key={item.key}
                  index={item.index}
                  top={item.start}
                  row={row}
                  selected={item.index === selected}
                  lang={lang}
                  onOpen={() => {
                    setSelected(item.index);
                    if (row) setOpenId(row.orderId);
                  }}
                />
              );
            })}
          </div>
        </div>
        <div className="grid-foot muted small">{pages.total !== null && t('queue.total', { count: formatNumber(pages.total, lang) })}</div>
      </div>
      {openId && (
        <OrderDrawer
          orderId={openId}
          status={status}
          onClose={() => {
            setOpenId(null);
            scrollRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}

function QueueRow({
  index,
  top,
  row,
  selected,
  lang,
  onOpen,
}: {
  index: number;
  top: number;
  row: OrderView | undefined;
  selected: boolean;
  lang: Language;
  onOpen: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div
      id={`queue-row-${index}`}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      className={`grid-row${selected ? ' is-selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: QUEUE_ROW_HEIGHT }}
      onClick={onOpen}
      data-order-id={row?.orderId}
      data-state={row?.state}
    >
      {row ? (
        <>
          <span role="gridcell" className="muted small">
            {formatShortDateTime(row.createdAt, lang)}
          </span>
          <span role="gridcell" className="cell-id" title={row.orderId}>
            <bdi className="code">{shortId(row.orderId)}</bdi>
          </span>
          <span role="gridcell">
            <bdi className="code">{row.mobile ?? row.customerId}</bdi>
          </span>
          <span role="gridcell" className="num">
            {formatMoney(row.totalPaidMinor, row.currency, lang)}
          </span>
          <span role="gridcell">
            <bdi className="code">{row.referrerCode ?? ''}</bdi>
          </span>
          <span role="gridcell" className="cell-state">
            <StateBadge state={row.state} points={row.rewardedPoints} />
            {row.state === 'attention' && (row.attentionCode || row.attentionMessage) && (
              <span className="attention-reason" title={row.attentionMessage ?? undefined} data-testid="attention-code">
                <bdi>{row.attentionCode ?? row.attentionMessage}</bdi>
              </span>
            )}
          </span>
        </>
      ) : (
        <span role="gridcell" className="muted">
          {t('queue.loadingRow')}
        </span>
      )}
    </div>
  );
}
