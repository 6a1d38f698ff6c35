// Draws the app icon and the tray images into resources/ as PNG, with node:zlib only (no image tools):
// a package glyph, anti-aliased by distance to its strokes. Run: `npx tsx main/tools/generate-icons.ts`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgb = [number, number, number];
type Seg = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels → PNG bytes (colour type 6, no interlace). */
function png(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function distToSeg(px: number, py: number, [x1, y1, x2, y2]: Seg): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** The glyph in a unit square: a hexagonal box with its top face, as in renderer/public/favicon.svg. */
const GLYPH: Seg[] = [
  [0.22, 0.31, 0.5, 0.15], [0.5, 0.15, 0.78, 0.31], [0.78, 0.31, 0.78, 0.69], [0.78, 0.69, 0.5, 0.85],
  [0.5, 0.85, 0.22, 0.69], [0.22, 0.69, 0.22, 0.31], [0.22, 0.31, 0.5, 0.47], [0.5, 0.47, 0.78, 0.31], [0.5, 0.47, 0.5, 0.85],
];

interface Layer {
  cover(x: number, y: number): number;
  color: Rgb;
}

function draw(size: number, layers: Layer[]): Buffer {
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const l of layers) {
        const c = Math.max(0, Math.min(1, l.cover((x + 0.5) / size, (y + 0.5) / size)));
        if (!c) continue;
        const na = c + a * (1 - c);
        r = (l.color[0] * c + r * a * (1 - c)) / na;
        g = (l.color[1] * c + g * a * (1 - c)) / na;
        b = (l.color[2] * c + b * a * (1 - c)) / na;
        a = na;
      }
      out.set([Math.round(r), Math.round(g), Math.round(b), Math.round(a * 255)], (y * size + x) * 4);
    }
  }
  return png(size, out);
}

const stroke = (segs: Seg[], width: number, size: number, color: Rgb, scale = 1, dx = 0, dy = 0): Layer => ({
  color,
  cover: (x, y) => (width / 2 - Math.min(...segs.map((s) => distToSeg((x - dx) / scale, (y - dy) / scale, s)))) * scale * size + 0.5,
});
const disc = (cx: number, cy: number, r: number, size: number, color: Rgb): Layer => ({ color, cover: (x, y) => (r - Math.hypot(x - cx, y - cy)) * size + 0.5 });
const roundedSquare = (size: number, color: Rgb): Layer => ({
  color,
  cover: (x, y) => {
    const r = 0.2;
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r - 0.02), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r - 0.02), 0);
    return (r - Math.hypot(qx, qy)) * size + 0.5;
  },
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'resources');
const write = (rel: string, data: Buffer) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), data);
};

write('icons/icon.png', draw(512, [roundedSquare(512, [26, 115, 232]), stroke(GLYPH, 0.07, 512, [255, 255, 255], 0.84, 0.08, 0.08)]));

const BADGE: Record<'running' | 'paused' | 'error', Rgb | undefined> = { running: undefined, paused: [249, 171, 0], error: [217, 48, 37] };
const THEMES: Record<'light' | 'dark' | 'template', Rgb> = { light: [32, 33, 36], dark: [241, 243, 244], template: [0, 0, 0] };
for (const [state, badge] of Object.entries(BADGE)) {
  for (const [theme, ink] of Object.entries(THEMES)) {
    for (const [size, suffix] of [[16, ''], [32, '@2x']] as const) {
      const glyph = stroke(GLYPH, 0.11, size, ink, badge ? 0.86 : 1.08, badge ? -0.04 : -0.04, badge ? -0.04 : -0.04);
      const layers = [glyph];
      if (badge) layers.push(disc(0.78, 0.78, 0.2, size, theme === 'template' ? ink : badge));
      const variant = state === 'running' ? '' : `-${state}`;
      write(theme === 'template' ? `tray/trayTemplate${variant}${suffix}.png` : `tray/tray${variant}-${theme}${suffix}.png`, draw(size, layers));
    }
  }
}
