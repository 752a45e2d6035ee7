// A grouped bar chart (one group per query, one bar per engine, log-scale milliseconds) as a standalone SVG.

/** One series: an engine and its median ms per query (undefined = error or not run). */
export interface ChartSeries {
  name: string;
  values: (number | undefined)[];
}

const COLORS = ['#2f6fb3', '#e07b39', '#3a9d5d', '#9b59b6', '#c0392b'];
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders the chart; `labels` name the groups (Q1..Q22). */
export function barChartSvg(title: string, labels: readonly string[], series: readonly ChartSeries[]): string {
  const width = 1100;
  const height = 460;
  const left = 70;
  const right = 20;
  const top = 50;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && v > 0));
  const minV = all.length > 0 ? Math.max(0.1, Math.min(...all)) : 1;
  const maxV = all.length > 0 ? Math.max(...all) : 10;
  const lo = Math.floor(Math.log10(minV));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(maxV)));
  const y = (v: number): number => top + plotH - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  const groupW = plotW / Math.max(1, labels.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`);
  for (let exp = lo; exp <= hi; exp++) {
    const yy = y(10 ** exp);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${10 ** exp >= 1 ? 10 ** exp : (10 ** exp).toFixed(-exp)} ms</text>`);
  }
  labels.forEach((label, groupIdx) => {
    const gx = left + groupIdx * groupW + groupW * 0.1;
    series.forEach((s, seriesIdx) => {
      const v = s.values[groupIdx];
      const x = gx + seriesIdx * barW;
      if (v === undefined) {
        parts.push(`<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" fill="${COLORS[seriesIdx % COLORS.length]}">×</text>`);
        return;
      }
      const yy = y(v);
      parts.push(`<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${(top + plotH - yy).toFixed(1)}" fill="${COLORS[seriesIdx % COLORS.length]}"><title>${escape(s.name)} ${escape(label)}: ${v.toFixed(1)} ms</title></rect>`);
    });
    parts.push(`<text x="${left + groupIdx * groupW + groupW / 2}" y="${top + plotH + 16}" text-anchor="middle">${escape(label)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  series.forEach((s, seriesIdx) => {
    const lx = left + seriesIdx * 140;
    const ly = height - 24;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[seriesIdx % COLORS.length]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${ly}">${escape(s.name)}</text>`);
  });
  parts.push(`<text x="${width - right}" y="${height - 8}" text-anchor="end" fill="#666">median ms per query, log scale; × = error or not run</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
