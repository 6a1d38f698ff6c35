// What a format that serves container images asks before it serves a manifest (issue 13, the deploy policy: Binary
// Authorization at the level of spec ar-fidelity §6.5). The emulator's "deployment" is a pull: the Docker format calls
// `check` on every manifest GET/HEAD (tag or digest, standard, remote and virtual repositories), after the digest is
// known and before anything is sent. scanning/deploy-policy.ts implements it; formats never import scanning.
import type { RepositoryRef } from './names.js';

/** One OCI referrer of the pulled digest (what `GET /v2/NAME/referrers/DIGEST` lists). */
export interface PullReferrer {
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface PullRequestInfo {
  /** the caller (`serviceAccount:…`, `user:…`, `anonymous`) */
  principal: string;
  /** the repository the client asked (a virtual or remote one included) and the image name in it */
  asked: { repository: RepositoryRef; image: string };
  /** the repository that holds the manifest (a virtual repository's member; else the asked one) */
  served: { repository: RepositoryRef; image: string };
  digest: string;
  /** the manifest's OCI referrers in the serving repository (read only when the policy needs attestations) */
  referrers(): Promise<PullReferrer[]>;
}

export interface PullPolicy {
  /**
   * Resolves when the pull may go on (no policy, an allowing rule, a dry-run rule); throws an EmulatorError
   * PERMISSION_DENIED whose message names the rule (and the worst finding) and whose `detail.violation` carries the
   * `policy.violated` event's fields, which the error boundary emits with the caller.
   */
  check(pull: PullRequestInfo): Promise<void>;
}

/** No deploy policy anywhere: every pull goes on (Binary Authorization not enabled). */
export const ALLOW_ALL_PULLS: PullPolicy = { check: async () => {} };

/**
 * Formats that store container images: attaching an attestation to an image as an OCI referrer (an artifact manifest
 * whose subject is the image), as the deploy policy's API does for the ATTESTATION occurrences it is given.
 */
export interface AttestationWriter {
  /** Stores `payload` under an artifact manifest of `artifactType` with `subject` = IMAGE@digest; answers its digest. */
  attach(repository: RepositoryRef, image: string, subject: string, artifact: { artifactType: string; payload: Buffer; annotations: Record<string, string> }): Promise<string>;
}
