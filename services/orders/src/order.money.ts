// Money rules: everything is added up in integer minor units; decimals appear only at the edges.

/** 19.99 → 1999. Catalog prices are decimals with at most two places, so rounding only removes float noise. */
export const toMinor = (major: number): number => Math.round(major * 100);

/** 1999 → 19.99. */
export const toMajor = (minor: number): number => Math.round(minor) / 100;
