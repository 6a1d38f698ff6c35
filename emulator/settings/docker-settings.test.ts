// print-settings docker for gcr.io-domain repositories: the image path without a repository segment, the
// /etc/hosts and --add-host lines that make the name reach the emulator (docs/gcr.md).
import { describe, expect, it } from 'vitest';
import { renderSettings } from './render-settings.js';

const base = { host: 'localhost:8088', project: 'my-proj', location: 'us', repository: 'gcr.io', iamMode: 'open' as const };

describe('renderSettings docker for a gcr.io-domain repository', () => {
  it('names images gcr.io:PORT/PROJECT/IMAGE and prints the /etc/hosts and --add-host lines', () => {
    const text = renderSettings('docker', base).text;
    expect(text).toContain('docker push gcr.io:8088/my-proj/IMAGE:TAG');
    expect(text).toContain('#   127.0.0.1 gcr.io us.gcr.io eu.gcr.io asia.gcr.io');
    expect(text).toContain('docker run --add-host gcr.io:host-gateway');
    expect(text).not.toContain('my-proj/gcr.io/');
  });

  it('uses the repository id as the host for eu.gcr.io and logs in to it in enforce mode', () => {
    const text = renderSettings('docker', { ...base, location: 'europe', repository: 'eu.gcr.io', iamMode: 'enforce' }).text;
    expect(text).toContain('docker pull eu.gcr.io:8088/my-proj/IMAGE:TAG');
    expect(text).toContain('docker login -u oauth2accesstoken --password-stdin eu.gcr.io:8088');
    expect(text).toContain('ar-emulator configure-docker --endpoint localhost:8088');
  });

  it('keeps the pkg.dev form for other repositories', () => {
    expect(renderSettings('docker', { ...base, repository: 'images' }).text).toContain('docker push localhost:8088/my-proj/images/IMAGE:TAG');
  });
});
