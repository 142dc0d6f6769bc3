// Formatters the webview pages share. Dollar amounts have one rule across the extension (formatUsd).
export { formatUsd } from '../../src/core/cost/usd';

/** 1234 -> "1,234". */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** 0.42 -> "42%". */
export const formatPercent = (n: number): string => `${Math.round(n * 100)}%`;

/** (3, "request") -> "3 requests". */
export const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
