// The metric names a Grafana dashboard's PromQL queries name, so tests can hold them against what the platform serves.
const FUNCTIONS = new Set(
  (
    'abs absent absent_over_time avg avg_over_time bottomk ceil changes clamp clamp_max clamp_min count count_over_time ' +
    'count_values delta deriv exp floor group histogram_quantile holt_winters idelta increase irate label_join label_replace ' +
    'last_over_time ln log2 log10 max max_over_time min min_over_time predict_linear quantile quantile_over_time rate resets ' +
    'round scalar sgn sort sort_desc sqrt stddev stdvar sum sum_over_time time timestamp topk vector and or unless by without ' +
    'on ignoring group_left group_right bool offset inf nan'
  ).split(' '),
);

interface Panel {
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every `expr` of every panel (rows' nested panels included). */
export function dashboardExprs(dashboard: { panels?: Panel[] }): string[] {
  const out: string[] = [];
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push(t.expr);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** The metric names one PromQL expression selects: identifiers outside label matchers, grouping lists and ranges. */
export function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = (bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []).filter((id) => !FUNCTIONS.has(id) && !/^\d/.test(id));
  return [...new Set(names)];
}

export function dashboardMetricNames(dashboard: { panels?: Panel[] }): string[] {
  return [...new Set(dashboardExprs(dashboard).flatMap(metricNamesOf))].sort();
}
