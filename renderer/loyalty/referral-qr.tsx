// The customer's own referral QR, drawn in the screen (no network): a friend scans it with their
// phone, or it is scanned at another checkout into the referral field. Drawn as inline SVG from
// the QR's modules (qrcode's encoder), so it needs no image source beyond the page itself (the
// screen's Content-Security-Policy allows images from 'self' only). `data-qr-text` carries the
// encoded text, so a test can feed exactly what a scanner would read.
import QRCode from 'qrcode';
import { useMemo } from 'react';

const QUIET = 2;

/** One SVG path drawing every dark module, or null when the text cannot be encoded. */
export function qrPath(text: string): { size: number; d: string } | null {
  try {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const n = modules.size;
    let d = '';
    for (let r = 0; r < n; r += 1) {
      for (let c = 0; c < n; c += 1) if (modules.get(r, c)) d += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
    }
    return { size: n + 2 * QUIET, d };
  } catch {
    return null;
  }
}

export function ReferralQr({ text, label }: { text: string; label: string }) {
  const qr = useMemo(() => qrPath(text), [text]);
  if (qr === null) return null;
  return (
    <svg
      className="referral-qr"
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      width={144}
      height={144}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
      data-testid="panel-referral-qr"
      data-qr-text={text}
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={qr.d} fill="#000" />
    </svg>
  );
}
