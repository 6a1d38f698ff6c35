// The unmodified Node client (@google-cloud/artifact-registry) pointed at a test emulator, per transport: plaintext
// gRPC on the emulator's gRPC port, or the REST fallback on its HTTP port with a static token (STYLE §E.4).
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { credentials } from '@grpc/grpc-js';
import { OAuth2Client } from 'google-auth-library';
import type { TestEmulator } from './emulator.js';

export type Transport = 'rest' | 'grpc';

export function nodeClientFor(emu: TestEmulator, transport: Transport): ArtifactRegistryClient {
  if (transport === 'grpc') {
    return new ArtifactRegistryClient({ apiEndpoint: '127.0.0.1', port: emu.emulator.grpcPort, sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' });
  }
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'static-test-token', expiry_date: Date.now() + 3600_000 });
  return new ArtifactRegistryClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.emulator.port, authClient, universeDomain: 'googleapis.com' } as never);
}
