// The one way a dollar amount is written, on every surface: status bar, tooltips, notifications, route
// reasons, the dashboard and the answer view. Browser-safe (the webview pages import it too).

/**
 * `$1.23`; amounts under a cent get four digits (`$0.0087`), a non-zero amount under that is never shown
 * as zero (`<$0.0001`), and a negative one (local cost more than the cloud would have) gets a minus sign.
 */
export function formatUsd(n: number): string {
  if (n < 0) return `−${formatUsd(-n)}`;
  return n === 0 ? '$0.00' : n < 0.0001 ? '<$0.0001' : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}
