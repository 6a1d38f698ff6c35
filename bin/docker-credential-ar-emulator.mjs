#!/usr/bin/env node
// Docker credential helper for the emulator (https://github.com/docker/docker-credential-helpers protocol):
// `get` reads a registry host on stdin and prints {ServerURL, Username, Secret} with a fresh access token
// minted by that emulator for $AR_EMULATOR_PRINCIPAL (default: the local owner). store/erase are no-ops.
// The host is asked as docker names it: localhost:PORT, 127.0.0.1:PORT, or a Container Registry host (gcr.io:PORT,
// us.gcr.io:PORT, …) that /etc/hosts maps to the emulator (docs/gcr.md); the emulator serves its token API on each.
const action = process.argv[2];
const input = await new Promise((resolve) => {
  let data = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => (data += d));
  process.stdin.on('end', () => resolve(data.trim()));
});
if (action === 'get') {
  const host = input.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  try {
    const res = await fetch(`http://${host}/_emulator/iam/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(process.env.AR_EMULATOR_PRINCIPAL ? { principal: process.env.AR_EMULATOR_PRINCIPAL } : {}),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    process.stdout.write(JSON.stringify({ ServerURL: input, Username: 'oauth2accesstoken', Secret: body.accessToken }));
  } catch (err) {
    process.stdout.write(`credentials not found in native keychain: ${err.message}`);
    process.exitCode = 1;
  }
} else if (action === 'list') {
  process.stdout.write('{}');
} else if (action !== 'store' && action !== 'erase') {
  process.stderr.write('usage: docker-credential-ar-emulator get|store|erase|list\n');
  process.exitCode = 1;
}
