// An injected upstream fault (issue 12), as data: the emulator API (control/faults-api.ts) validates and lists it,
// the upstream conditions (remote/faults.ts) keep it, and the upstream client obeys it. One definition for both.

export type FaultMode = 'down' | 'slow' | 'status';

export interface Fault {
  /** `projects/P/locations/L/repositories/R` of a remote repository */
  repository: string;
  mode: FaultMode;
  /** the status the upstream answers with, for mode `status` (e.g. 429, 503) */
  status?: number;
  /** added latency before the upstream answers, for mode `slow` */
  delayMs?: number;
  /** emulator-time ISO instant the fault ends; absent: until cleared */
  until?: string;
}
