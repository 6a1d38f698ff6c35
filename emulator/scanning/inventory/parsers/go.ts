// Go build information embedded in binaries (Go 1.18+), as `debug/buildinfo` reads it
// (https://go.dev/src/debug/buildinfo/buildinfo.go): the `.go.buildinfo` section starts, 16-byte aligned, with the
// 14-byte magic `\xff Go buildinf:`, a pointer size byte and a flags byte; flag 0x2 means the version and the module
// information follow the 32-byte header inline as two uvarint-length-prefixed strings. The module information
// (`runtime/debug.BuildInfo` text, https://pkg.go.dev/runtime/debug#BuildInfo.String) is wrapped in 16-byte
// sentinels and holds tab-separated lines: `path`, `mod PATH VERSION SUM`, `dep PATH VERSION SUM`, and `=> PATH
// VERSION SUM` replacing the line before. Older binaries keep pointers into the data segment instead, which a
// stream cannot follow: they are reported as a warning.
import type { ParseResult, RawPackage } from './raw.js';

export const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** how much of a binary is kept after the magic: the header and both strings */
export const GO_BUILDINFO_KEEP = 64 * 1024;

/**
 * Whether the magic at `buf[at]` starts a build-info header rather than being quoted inside other data (the Go
 * toolchain's own debug/buildinfo holds it as a constant): a pointer size of 4 or 8 and, for the inline form, a
 * version string (`go1.21.3`, `devel …`) right after the 32-byte header. `more` when `buf` ends too early to say.
 */
export function goHeaderAt(buf: Buffer, at: number): 'yes' | 'no' | 'more' {
  if (buf.length < at + 16) return 'more';
  const ptr = buf[at + 14];
  if (ptr !== 4 && ptr !== 8) return 'no';
  if (!(buf[at + 15]! & 2)) return 'yes'; // pre-1.18 pointers: reported as a warning
  if (buf.length < at + 33) return 'more';
  const len = buf[at + 32]!;
  if (len === 0 || len >= 0x80) return 'no';
  if (buf.length < at + 33 + Math.min(len, 5)) return 'more';
  return /^(?:go\d|devel)/.test(buf.toString('latin1', at + 33, at + 33 + Math.min(len, 5))) ? 'yes' : 'no';
}

function uvarint(buf: Buffer, at: number): [number, number] | undefined {
  let x = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 5; i++) {
    const b = buf[i]!;
    x += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [x, i + 1];
    shift += 7;
  }
  return undefined;
}

/** `go1.21.3` → `1.21.3`, `go1.22rc1` → `1.22.0-rc.1` (how OSV's Go ecosystem names `stdlib` versions) */
export function goToolchainVersion(v: string): string | undefined {
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?/.exec(v);
  if (!m) return undefined;
  const base = `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}`;
  return m[4] ? `${base}-${m[4]}.${m[5]}` : base;
}

/** `buf` starts at the magic. */
export function parseGoBuildInfo(buf: Buffer, path: string): ParseResult {
  const flags = buf[15] ?? 0;
  if (!(flags & 2)) return { packages: [], warnings: [`/${path}: Go binary built before Go 1.18 (build info not inline): not read`] };
  let at = 32;
  const lenV = uvarint(buf, at);
  if (!lenV || lenV[1] + lenV[0] > buf.length) return { packages: [], warnings: [`/${path}: Go build info truncated`] };
  const goVersion = buf.subarray(lenV[1], lenV[1] + lenV[0]).toString('utf8');
  at = lenV[1] + lenV[0];
  const lenM = uvarint(buf, at);
  let modinfo = '';
  if (lenM && lenM[1] + lenM[0] <= buf.length) modinfo = buf.subarray(lenM[1], lenM[1] + lenM[0]).toString('utf8');
  // the sentinels: 16 bytes before and after (debug/buildinfo checks `mod[len-17] == '\n'`)
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, -16);
  const packages: RawPackage[] = [];
  const stdlib = goToolchainVersion(goVersion);
  if (stdlib) packages.push({ kind: 'Go', packageType: 'GO', name: 'stdlib', version: stdlib });
  let last: RawPackage | undefined;
  for (const line of modinfo.split('\n')) {
    const f = line.split('\t');
    if ((f[0] === 'mod' || f[0] === 'dep') && f[1] && f[2]) {
      last = { kind: 'Go', packageType: 'GO', name: f[1], version: f[2] };
      packages.push(last);
    } else if (f[0] === '=>' && last && f[1] && f[2]) {
      // a replacement by another module (a local folder has no version: the original is kept)
      last.name = f[1];
      last.version = f[2];
    }
  }
  return { packages, warnings: [] };
}
