// Small inline-SVG charts: a column chart of events per minute and horizontal bars of storage per
// repository. No library; sizes come from the viewBox, colours from CSS variables.
import { formatBytes } from '../state/event-format.js';

const NS = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Columns for counts (oldest first); the last column is the current minute. */
export function columnChart(counts: number[], label: string): SVGSVGElement {
  const w = 460;
  const hgt = 72;
  const max = Math.max(1, ...counts);
  const gap = 2;
  const bw = (w - gap * (counts.length - 1)) / counts.length;
  const root = svg('svg', { viewBox: `0 0 ${w} ${hgt + 14}`, class: 'chart columns', role: 'img', 'aria-label': label });
  root.append(svg('line', { x1: 0, y1: hgt + 0.5, x2: w, y2: hgt + 0.5, class: 'axis' }));
  counts.forEach((c, i) => {
    const bh = c === 0 ? 1.5 : Math.max(3, (c / max) * (hgt - 16));
    const rect = svg('rect', { x: i * (bw + gap), y: hgt - bh, width: bw, height: bh, rx: 1.5, class: c === 0 ? 'bar zero' : i === counts.length - 1 ? 'bar now' : 'bar' });
    const title = svg('title', {});
    title.textContent = `${c} event${c === 1 ? '' : 's'}, ${counts.length - 1 - i} min ago`;
    rect.append(title);
    root.append(rect);
  });
  const left = svg('text', { x: 0, y: hgt + 12, class: 'tick' });
  left.textContent = `-${counts.length}m`;
  const right = svg('text', { x: w, y: hgt + 12, class: 'tick', 'text-anchor': 'end' });
  right.textContent = 'now';
  const top = svg('text', { x: 0, y: 9, class: 'tick' });
  top.textContent = `max ${max}/min`;
  root.append(left, right, top);
  return root;
}

/** One bar per item, largest first, labelled with the name and a human size. */
export function storageBars(items: Array<{ label: string; bytes: number }>): SVGSVGElement {
  const rows = [...items].sort((a, b) => b.bytes - a.bytes).slice(0, 8);
  const w = 460;
  const rowH = 30;
  const max = Math.max(1, ...rows.map((r) => r.bytes));
  const root = svg('svg', { viewBox: `0 0 ${w} ${Math.max(rowH, rows.length * rowH)}`, class: 'chart bars', role: 'img', 'aria-label': 'storage per repository' });
  rows.forEach((r, i) => {
    const y = i * rowH;
    root.append(svg('rect', { x: 0, y: y + 18, width: w, height: 6, rx: 3, class: 'track' }));
    root.append(svg('rect', { x: 0, y: y + 18, width: Math.max(3, (r.bytes / max) * w), height: 6, rx: 3, class: 'bar' }));
    const name = svg('text', { x: 0, y: y + 12, class: 'label' });
    name.textContent = r.label;
    const size = svg('text', { x: w, y: y + 12, class: 'tick', 'text-anchor': 'end' });
    size.textContent = formatBytes(r.bytes);
    root.append(name, size);
  });
  return root;
}

/** One bar per remote repository: the share of requests its cache answered (hits) against upstream fetches. */
export function hitRatioBars(items: Array<{ label: string; hits: number; misses: number; failures: number }>): SVGSVGElement {
  const rows = items.slice(0, 8);
  const w = 460;
  const rowH = 30;
  const root = svg('svg', { viewBox: `0 0 ${w} ${Math.max(rowH, rows.length * rowH)}`, class: 'chart bars', role: 'img', 'aria-label': 'cache hit ratio per remote repository' });
  rows.forEach((r, i) => {
    const y = i * rowH;
    const total = r.hits + r.misses;
    const ratio = total ? r.hits / total : 0;
    root.append(svg('rect', { x: 0, y: y + 18, width: w, height: 6, rx: 3, class: 'track' }));
    if (total) root.append(svg('rect', { x: 0, y: y + 18, width: Math.max(3, ratio * w), height: 6, rx: 3, class: 'bar' }));
    const name = svg('text', { x: 0, y: y + 12, class: 'label' });
    name.textContent = r.label;
    const value = svg('text', { x: w, y: y + 12, class: 'tick', 'text-anchor': 'end' });
    value.textContent = `${total ? `${Math.round(ratio * 100)}% hits (${r.hits}/${total})` : 'no requests'}${r.failures ? ` · ${r.failures} upstream failure${r.failures === 1 ? '' : 's'}` : ''}`;
    root.append(name, value);
  });
  return root;
}
