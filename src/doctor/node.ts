import type { DoctorCheck } from './types.js';

/** Node.js must be 20 or newer (better-sqlite3 12 and execa 9 are pinned for 20). */
export const nodeCheck: DoctorCheck = {
  name: 'node',
  async run() {
    const major = Number(process.versions.node.split('.')[0]);
    const ok = major >= 20;
    return {
      name: 'node',
      ok,
      detail: `Node.js ${process.versions.node}`,
      ...(ok ? {} : { fix: 'install Node.js 20: https://nodejs.org/ or your distribution package' }),
    };
  },
};
