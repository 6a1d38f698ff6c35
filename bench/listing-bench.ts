// Listing bench (issue 9, item 3): one image with 20,000 versions, each tagged once (20,000 tags), then
// REST listVersions (FULL and BASIC), REST listTags and the registry's tags/list, each timed, plus the
// longest event-loop block seen during each (perf_hooks monitorEventLoopDelay). The emulator runs in this
// process, so a block is the server's. `--from PATH` measures another build (e.g. a clean checkout's
// dist/emulator/index.js), which is how the "before" figures in bench/README.md were taken.
//   node --import tsx bench/listing-bench.ts [--tags 20000] [--runs 5] [--from /tmp/before/dist/emulator/index.js]
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

interface Emu { url: string; stop(): Promise<void> }
type Create = (o: { dataDir: string; port: number; grpcPort: false }) => Promise<Emu>;

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const TAGS = Number(arg('tags', '20000'));
const RUNS = Number(arg('runs', '5'));
const FROM = arg('from', new URL('../emulator/index.ts', import.meta.url).pathname);
const PROJECT = 'bench-project';
const REPO = 'bench';
const IMAGE = 'img';

const { createEmulator } = (await import(pathToFileURL(FROM).href)) as { createEmulator: Create };
const dataDir = await mkdtemp(join(tmpdir(), 'listing-bench-'));

// 1. Create the repository through the API, then stop and seed its shard's journal directly (as the
// emulator itself writes it: one transaction per line), which takes seconds instead of 20,000 PUTs.
let emu = await createEmulator({ dataDir, port: 0, grpcPort: false });
const created = await fetch(`${emu.url}/v1/projects/${PROJECT}/locations/us-central1/repositories?repositoryId=${REPO}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'DOCKER' }),
});
if (!created.ok) throw new Error(`createRepository: ${created.status} ${await created.text()}`);
await emu.stop();
const journal = join(dataDir, 'meta', 'repos', PROJECT, 'us-central1', `${REPO}.journal`);
const t0 = Date.parse('2026-01-01T00:00:00Z');
const time = (i: number) => new Date(t0 + i * 1000).toISOString();
for (let start = 0; start < TAGS; start += 1000) {
  const ops: unknown[] = [];
  for (let i = start; i < Math.min(TAGS, start + 1000); i++) {
    const digest = `sha256:${createHash('sha256').update(`manifest ${i}`).digest('hex')}`;
    ops.push(['p', 'manifests', `${IMAGE}@${digest}`, {
      image: IMAGE, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 400, imageSizeBytes: 4096, createTime: time(i), references: [],
    }]);
    ops.push(['p', 'tags', `${IMAGE}:t${String(i).padStart(6, '0')}`, { digest, updateTime: time(i) }]);
  }
  ops.push(['p', 'images', IMAGE, { createTime: time(0), updateTime: time(TAGS) }]);
  await appendFile(journal, `${JSON.stringify(ops)}\n`);
}

// 2. Restart on the seeded store and measure.
emu = await createEmulator({ dataDir, port: 0, grpcPort: false });
const pkg = `${emu.url}/v1/projects/${PROJECT}/locations/us-central1/repositories/${REPO}/packages/${IMAGE}`;
const cases: Array<[string, string]> = [
  ['REST listVersions view=FULL (first page, 1,000)', `${pkg}/versions?view=FULL`],
  ['REST listVersions view=BASIC (first page, 1,000)', `${pkg}/versions`],
  ['REST listTags (first page, 1,000)', `${pkg}/tags`],
  [`docker tags/list (all ${TAGS.toLocaleString('en')})`, `${emu.url}/v2/${PROJECT}/${REPO}/${IMAGE}/tags/list`],
];
const get = async (url: string) => {
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
  return body.length;
};
const monitor = monitorEventLoopDelay({ resolution: 1 });
monitor.enable();
const first = performance.now();
await get(cases[0]![1]);
const firstMs = performance.now() - first;
console.log(`listing bench: ${TAGS} tags and versions, ${RUNS} runs each, from ${FROM}`);
console.log(`first request (builds any index): ${firstMs.toFixed(1)} ms`);
console.log('| operation | median ms | max ms | longest event-loop block ms |');
console.log('|---|---:|---:|---:|');
for (const [name, url] of cases) {
  const times: number[] = [];
  monitor.reset();
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await get(url);
    times.push(performance.now() - s);
  }
  const block = monitor.max / 1e6;
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${times[times.length >> 1]!.toFixed(1)} | ${times[times.length - 1]!.toFixed(1)} | ${block.toFixed(1)} |`);
}
monitor.disable();
await emu.stop();
await rm(dataDir, { recursive: true, force: true });
