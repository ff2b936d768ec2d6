import { describe, expect, it } from 'vitest';
import { handleInput } from '../../../src/pipeline/gates.js';
import {
  checkPackages,
  environmentBlock,
  outlineGateDraft,
  outlineModules,
  packageGate,
  packageState,
} from '../../../src/pipeline/packages.js';
import { NO_ENV } from '../../../src/pipeline/prompts/common.js';
import { buildFixMessages } from '../../../src/pipeline/prompts/fix.js';
import { buildOutlineMessages, buildReviseOutlineMessages } from '../../../src/pipeline/prompts/outline.js';
import { initialState, type SessionState } from '../../../src/pipeline/types.js';
import type { ScriptEnvironmentInfo } from '../../../src/python/types.js';
import { REFERENCE_OUTLINE } from '../../fakes/reference-goal.js';

const ENV: ScriptEnvironmentInfo = {
  python: '3.11.2',
  executable: '/usr/bin/python3',
  venv: false,
  siteDirs: ['/usr/lib/python3/dist-packages'],
  stdlib: ['sys', 'csv', 'os', 'json', 'urllib', 'http', 'socket', 'collections', 'tomllib'],
  packages: [
    { name: 'zzz_extra', distribution: 'zzz', version: '1.0', location: '/usr/lib/python3/dist-packages' },
    { name: 'pandas', distribution: 'pandas', version: '1.5.3', location: '/usr/lib/python3/dist-packages' },
    { name: 'matplotlib', distribution: 'matplotlib', version: '3.6.3', location: '/x' },
    { name: 'PIL', distribution: 'Pillow', version: '9.4.0', location: '/x' },
    { name: 'requests', distribution: 'requests', version: '2.28.1', location: '/x' },
  ],
};

function missingState(canInstall: boolean): SessionState {
  const report = checkPackages(['polars', 'seaborn', 'tqdm'], ENV);
  return {
    ...initialState(),
    outline: { ...REFERENCE_OUTLINE, imports: ['polars as pl', 'seaborn', 'tqdm'] },
    ...packageState(report, canInstall),
  };
}

describe('outline imports', () => {
  it('reads module names from the ways a model writes import lines', () => {
    expect(
      outlineModules([
        'pandas as pd',
        'import matplotlib.pyplot as plt',
        'from collections import Counter, defaultdict',
        'csv, sys',
        'from .local import x',
        'json  # for output',
      ]),
    ).toEqual(['pandas', 'matplotlib.pyplot', 'collections', 'csv', 'sys', 'json']);
  });

  it('finds what is neither standard library nor installed, with the closest installed alternative', () => {
    const report = checkPackages(['pandas', 'polars', 'os.path', 'seaborn', 'cv2', 'tqdm', 'cv2.data'], ENV);
    expect(report.missing).toEqual([
      { module: 'polars', alternative: 'pandas', pip: 'polars' },
      { module: 'seaborn', alternative: 'matplotlib', pip: 'seaborn' },
      { module: 'cv2', alternative: 'PIL', pip: 'opencv-python-headless' },
      { module: 'tqdm', alternative: null, pip: 'tqdm' },
    ]);
    expect(report.network).toBe(false);
  });

  it('accepts distribution names for installed packages ("Pillow", "python-dateutil")', () => {
    const env = {
      ...ENV,
      packages: [
        ...ENV.packages,
        { name: 'dateutil', distribution: 'python-dateutil', version: '2.8', location: '/x' },
      ],
    };
    expect(
      checkPackages(outlineModules(['Pillow', 'python-dateutil', 'pil']), env).missing.map((m) => m.module),
    ).toEqual(['pil']);
  });

  it('flags network modules, but not harmless parts of the same packages', () => {
    expect(checkPackages(['requests'], ENV).network).toBe(true);
    expect(checkPackages(['urllib.request'], ENV).network).toBe(true);
    expect(checkPackages(['urllib.parse', 'http.server.x'], ENV).network).toBe(false);
  });

  it('describes the environment to the model with the common packages first, in a delimited block', () => {
    const block = environmentBlock(ENV);
    expect(block.startsWith('--- script environment ---')).toBe(true);
    expect(block.endsWith('--- end script environment ---')).toBe(true);
    expect(block).toContain('Python 3.11.2');
    expect(block).toContain('pandas 1.5.3, matplotlib 3.6.3, PIL 9.4.0, requests 2.28.1, zzz_extra 1.0');
    expect(block).toContain('no network access');
    const many = {
      ...ENV,
      packages: Array.from({ length: 55 }, (_, i) => ({ ...ENV.packages[0]!, name: `p${i}` })),
    };
    expect(environmentBlock(many)).toContain('(and 15 more)');
  });
});

describe('prompts with the script environment', () => {
  it('append the environment as its own block after the rules, and leave prompts alone without it', () => {
    const block = environmentBlock(ENV);
    const plain = buildOutlineMessages('plot sales', [], {}).messages;
    const withEnv = buildOutlineMessages('plot sales', [], {}, { ...NO_ENV, environment: block }).messages;
    expect(withEnv[0]!.content).toBe(`${plain[0]!.content}\n\n${block}`);
    expect(withEnv[1]).toEqual(plain[1]);
    expect(
      buildReviseOutlineMessages('g', REFERENCE_OUTLINE, 'use csv', {
        ...NO_ENV,
        environment: block,
      }).messages[0]!.content.endsWith(block),
    ).toBe(true);
    const fix = buildFixMessages({
      task: 'repair',
      name: 'main',
      current: 'def main():\n    return 0',
      problems: ['x'],
      outline: REFERENCE_OUTLINE,
      context: [],
      environment: block,
    });
    expect(fix.messages[0]!.content.endsWith(block)).toBe(true);
  });
});

describe('the outline gate with a missing package', () => {
  it('offers the choices instead of Approve, and the admin request only when installs are possible', () => {
    const outline = { ...REFERENCE_OUTLINE, imports: ['polars as pl', 'tqdm'] };
    const report = checkPackages(outlineModules(outline.imports), ENV);
    const draft = outlineGateDraft(outline, false, report, ENV, false);
    const labels = draft.buttons!.flat().map((b) => b.label);
    expect(labels).toEqual([
      'Use the standard library instead',
      'Use pandas instead of polars',
      'Edit',
      'Cancel',
    ]);
    expect(draft.text).toContain('polars and tqdm, which are not installed');
    const withAdmin = outlineGateDraft(outline, false, report, ENV, true);
    expect(withAdmin.buttons!.flat().map((b) => b.label)).toContain(
      'Ask an admin to install polars and tqdm',
    );
  });

  it('shows the plain outline with a no-network note for a requests design', () => {
    const outline = { ...REFERENCE_OUTLINE, imports: ['requests', 'csv'] };
    const draft = outlineGateDraft(outline, false, checkPackages(['requests', 'csv'], ENV), ENV, false);
    expect(draft.buttons!.flat().map((b) => b.label)).toContain('Approve');
    expect(draft.text).toContain('scripts run without network access');
  });

  it('holds Approve back while a package is missing', () => {
    const out = packageGate(
      missingState(false),
      { kind: 'action', action: 'approve' },
      { maxRepairs: 3, actor: 'a' },
    );
    expect(out).toMatchObject({ kind: 'reply' });
    expect((out as { text: string }).text).toContain('polars, seaborn and tqdm are not installed');
  });

  it('"Use the standard library instead" becomes an outline edit that says so', () => {
    const out = handleInput(
      'approve_outline',
      missingState(false),
      { kind: 'action', action: 'pkg_stdlib' },
      {
        maxRepairs: 3,
        actor: 'a',
      },
    );
    expect(out.kind).toBe('advance');
    if (out.kind !== 'advance') return;
    expect(out.result).toBe('edit');
    expect(out.state.feedback).toContain('Do not use polars, seaborn and tqdm: not installed');
    expect(out.state.feedback).toContain('standard library');
    expect(out.state.missingPackages).toEqual([]);
  });

  it('"Use <alternative>" names both packages; an alternative nobody offered is stale', () => {
    const opts = { maxRepairs: 3, actor: 'a' };
    const out = handleInput(
      'approve_outline',
      missingState(false),
      { kind: 'action', action: 'pkg_alt', value: 'seaborn' },
      opts,
    );
    expect(out.kind === 'advance' && out.state.feedback).toContain(
      'Use matplotlib (installed) instead of seaborn',
    );
    const forged = handleInput(
      'approve_outline',
      missingState(false),
      { kind: 'action', action: 'pkg_alt', value: 'tqdm' },
      opts,
    );
    expect(forged).toMatchObject({ kind: 'reply', text: expect.stringContaining('no longer active') });
  });

  it('"Ask an admin" is for approvers, and posts the exact ff2 python add command', () => {
    const owner = handleInput(
      'approve_outline',
      missingState(true),
      { kind: 'action', action: 'pkg_admin' },
      {
        maxRepairs: 3,
        actor: 'slack:U1',
        approver: false,
      },
    );
    expect(owner).toMatchObject({ kind: 'reply', text: expect.stringContaining('Only an approver') });
    const approver = handleInput(
      'approve_outline',
      missingState(true),
      { kind: 'action', action: 'pkg_admin' },
      {
        maxRepairs: 3,
        actor: 'slack:UADMIN',
        approver: true,
      },
    );
    expect(approver.kind === 'advance' && approver.result).toBe('stay');
    const text = approver.kind === 'advance' ? approver.messages![0]!.text : '';
    expect(text).toContain('```\nff2 python add polars seaborn tqdm\n```');
    expect(
      approver.kind === 'advance' && approver.messages![0]!.buttons!.flat().map((b) => b.label),
    ).toContain('Check again');
    // Without a venv the request was never offered: a forged click is stale.
    const forged = handleInput(
      'approve_outline',
      missingState(false),
      { kind: 'action', action: 'pkg_admin' },
      {
        maxRepairs: 3,
        actor: 'x',
        approver: true,
      },
    );
    expect(forged.kind).toBe('reply');
  });

  it('"Check again" is an empty edit (re-check without the model); typed text is an ordinary edit', () => {
    const opts = { maxRepairs: 3, actor: 'a' };
    const again = handleInput(
      'approve_outline',
      missingState(true),
      { kind: 'action', action: 'pkg_recheck' },
      opts,
    );
    expect(again.kind === 'advance' && [again.result, again.state.feedback]).toEqual(['edit', '']);
    const typed = handleInput(
      'approve_outline',
      missingState(false),
      { kind: 'message', text: 'use csv instead' },
      opts,
    );
    expect(typed.kind === 'advance' && [typed.result, typed.state.feedback]).toEqual([
      'edit',
      'use csv instead',
    ]);
  });

  it('package buttons after the packages were settled are stale', () => {
    const settled = { ...initialState(), outline: REFERENCE_OUTLINE };
    for (const action of ['pkg_stdlib', 'pkg_recheck', 'pkg_admin'])
      expect(
        handleInput('approve_outline', settled, { kind: 'action', action }, { maxRepairs: 3, actor: 'a' })
          .kind,
      ).toBe('reply');
  });
});
