// The one way a dollar amount is written, on every surface: status bar, tooltips, notifications, route
// reasons, the dashboard and the answer view. Browser-safe (the webview pages import it too).

export interface UsdFormat {
  /**
   * Write an amount under $0.0001 rounded to four places (`$0.0001`) instead of as a bound (`<$0.0001`).
   * Only the answer header does, as it always has (its UI test pins a `$<digit>` there).
   */
  rounded?: boolean;
}

/**
 * `$1.23`; amounts under a cent get four digits (`$0.0087`), a non-zero amount under that is never shown
 * as zero (`<$0.0001`), and a negative one (local cost more than the cloud would have) gets a minus sign.
 */
export function formatUsd(n: number, format: UsdFormat = {}): string {
  if (n < 0) return `−${formatUsd(-n, format)}`;
  if (n === 0) return '$0.00';
  if (n < 0.0001 && !format.rounded) return '<$0.0001';
  return n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}
