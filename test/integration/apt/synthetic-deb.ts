// A .deb assembled in memory (no dpkg-deb, which refuses bad control files): an ar archive of debian-binary,
// control.tar.gz holding `./control` with exactly the text given, and an empty data.tar.gz. For the bad-input tests
// and the unit tests of the Apt format.
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

function arMember(name: string, data: Buffer): Buffer {
  const field = (s: string, n: number) => s.padEnd(n, ' ').slice(0, n);
  const header = Buffer.from(field(`${name}/`, 16) + field('0', 12) + field('0', 6) + field('0', 6) + field('100644', 8) + field(String(data.length), 10) + '`\n', 'latin1');
  return Buffer.concat([header, data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export const controlText = (fields: Record<string, string>) => `${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;

export async function syntheticDeb(control: string): Promise<Buffer> {
  return Buffer.concat([
    Buffer.from('!<arch>\n', 'latin1'),
    arMember('debian-binary', Buffer.from('2.0\n')),
    arMember('control.tar.gz', await tarGz({ './control': control })),
    arMember('data.tar.gz', await tarGz({})),
  ]);
}

export const simpleControl = (over: Record<string, string> = {}) =>
  controlText({ Package: 'demo', Version: '1.0', Architecture: 'amd64', Maintainer: 'T <t@example.invalid>', Description: 'demo', ...over });
