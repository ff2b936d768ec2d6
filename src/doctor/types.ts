import type { Config } from '../config.js';

/** One line of `ff2 doctor`. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was found (versions, paths, latency) or what went wrong. */
  detail: string;
  /** A command or setting a person can paste to fix it; present when not ok. */
  fix?: string;
}

export interface DoctorCheck {
  name: string;
  /** Never throws: failures are results. */
  run(config: Readonly<Config>): Promise<CheckResult>;
}
