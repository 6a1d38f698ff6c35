// The one registry of upload kinds: the `/upload/v1/{parent}/<kind>:create` methods the formats plug in
// (FormatModule.uploadKinds; `genericArtifacts` now, `goModules`, `aptArtifacts`, `yumArtifacts`, `kfpArtifacts`
// later). Each kind's IAM operation is `control.<kind>.upload` (iam/permissions.ts).
import type { UploadKind } from '../../core/upload-kind.js';

export class UploadKinds {
  private readonly byKind = new Map<string, UploadKind>();

  constructor(kinds: Iterable<UploadKind>) {
    for (const k of kinds) {
      if (this.byKind.has(k.kind)) throw new Error(`upload kind ${k.kind} is registered twice`);
      this.byKind.set(k.kind, k);
    }
  }

  all(): UploadKind[] {
    return [...this.byKind.values()];
  }

  get(kind: string): UploadKind | undefined {
    return this.byKind.get(kind);
  }
}

export const uploadOperation = (kind: string) => `control.${kind}.upload`;
