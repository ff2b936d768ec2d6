/**
 * The sloppy model: a seeded test double that answers like a weak (1.5B) local model. Answers
 * are mostly schema-valid but adversarial and plausible: identifiers that are keywords or carry
 * parentheses, empty strings where allowed, arrays at their limits, code for the wrong section,
 * whole scripts, fenced code, broken syntax, mixed tabs, `import pandas`, `while True: pass`,
 * `input()`, huge output, smoke checks that expect the wrong thing or break the run rules, and now
 * and then truncated JSON. Served through the OpenAI stand-in (`sloppyOpenAi`) it also answers
 * HTTP 500 now and then.
 *
 * Every answer depends only on the seed and the call's place in its session: the seed is written
 * into the goal ("[seed 17]") and the outline's spec, so one responder serves many sessions in
 * parallel and each session replays the same way.
 */
import type { FakeRequest, FakeResponse } from './openai-server.js';
import { errorResponse } from './openai-server.js';
import { respondFromScript, type ScriptedCall, type ScriptResponder } from './scripted-llm.js';

/** Five goals of different shapes; each has a good outline the sloppy answers start from. */
export const SLOPPY_GOALS = [
  {
    goal: 'count the words in a text file given as the first argument',
    functions: ['read_text', 'count_words'],
    token: 'WORDS',
    argv: true,
    check: { args: ['notes.txt'], stdin: '', files: [{ name: 'notes.txt', content: 'a b c\n' }] },
  },
  {
    goal: 'read numbers from standard input and print their sum and mean',
    functions: ['parse_numbers', 'summarise'],
    token: 'SUM',
    argv: false,
    check: { args: [], stdin: '1\n2\n3\n', files: [] },
  },
  {
    goal: 'rename the photos in a folder by their date, dry run by default',
    functions: ['list_photos', 'new_name', 'plan_renames'],
    token: 'PLAN',
    argv: true,
    check: { args: ['--dry-run'], stdin: '', files: [] },
  },
  {
    goal: 'a small window with a button that counts clicks',
    functions: ['build_window'],
    token: 'WINDOW',
    argv: false,
    check: { args: [], stdin: '', files: [] },
  },
  {
    goal: 'convert a CSV file to JSON lines, one object per row',
    functions: ['read_csv_rows', 'to_json_lines', 'write_output'],
    token: 'ROWS',
    argv: true,
    check: { args: ['data.csv'], stdin: '', files: [{ name: 'data.csv', content: 'a,b\n1,2\n' }] },
  },
] as const;

export function sloppyGoal(seed: number): string {
  return `${SLOPPY_GOALS[seed % SLOPPY_GOALS.length]!.goal} [seed ${seed}]`;
}

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Dice {
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  int(min: number, max: number): number;
}

function dice(random: () => number): Dice {
  return {
    chance: (p) => random() < p,
    pick: (items) => items[Math.floor(random() * items.length)]!,
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
  };
}

function seedOf(call: Pick<ScriptedCall, 'messages'>): number {
  for (const m of call.messages) {
    const found = /\[seed (\d+)\]/.exec(m.content);
    if (found) return Number(found[1]);
  }
  return 0;
}

function goodFunction(name: string): string {
  return `def ${name}(*args):\n    """Does its part of the job."""\n    return len(args)`;
}

function goodMain(token: string): string {
  return [
    'def main(argv=None):',
    '    """Entry point: prints the token and the number of arguments."""',
    '    argv = sys.argv[1:] if argv is None else argv',
    `    print("${token}", len(argv))`,
    '    return 0',
    '',
    '',
    'if __name__ == "__main__":',
    '    sys.exit(main())',
  ].join('\n');
}

const GOOD_IMPORTS = '"""A small script."""\nimport sys';

/**
 * A seeded responder for ScriptedLlm (or, through `sloppyOpenAi`, the OpenAI stand-in).
 * `cooperative` (0..1) is the share of answers that are simply right; the rest are sloppy.
 */
export function sloppyResponder(options: { cooperative?: number } = {}): ScriptResponder {
  const good = options.cooperative ?? 0.55;
  const streams = new Map<number, Dice>();
  return (call) => {
    const seed = seedOf(call);
    let d = streams.get(seed);
    if (!d) {
      d = dice(prng(seed * 7919 + 1));
      streams.set(seed, d);
    }
    const spec = SLOPPY_GOALS[seed % SLOPPY_GOALS.length]!;
    if (d.chance(0.03)) return { raw: d.pick(['{"code": "def ', '{"questions": [', 'Sure! Here is', '']) };
    const sloppy = !d.chance(good);
    switch (call.task) {
      case 'interview':
        return interview(d, sloppy);
      case 'outline':
      case 'revise_outline':
        return outline(d, sloppy, seed, spec, call.task);
      case 'revise_checks':
        return { smokeChecks: outline(d, sloppy, seed, spec, call.task).smokeChecks };
      case 'generate':
      case 'qa_fix':
      case 'review_fix':
      case 'repair':
        if (call.task === 'repair' && !call.section) {
          const names = sectionsIn(call);
          const target = d.pick(names);
          return {
            target: sloppy ? d.pick([target, 'write_report()', 'the main function', '']) : target,
            code: code(d, sloppy, target, spec.token, names),
            reason: sloppy ? '' : 'it printed the wrong thing',
          };
        }
        return { code: code(d, sloppy, call.section ?? 'main', spec.token, sectionsIn(call)) };
      case 'review': {
        const names = sectionsIn(call);
        return {
          verdicts: (sloppy ? [...names, 'nonexistent', 'Main'] : names).map((section) => {
            const bad = sloppy && d!.chance(0.4);
            return {
              section,
              specMatch: !bad,
              structure: true,
              interfaces: true,
              noPlaceholders: true,
              style: !bad,
              issues: bad ? [d!.pick(['rename it', 'make it faster', ''])] : [],
            };
          }),
        };
      }
      case 'change': {
        const names = sectionsIn(call);
        const target = sloppy
          ? d.pick([
              ...names,
              'write_report()',
              'class',
              'new helper',
              'wrïte_report',
              'extra_step',
              '',
              'main',
            ])
          : d.pick(names.filter((n) => n !== 'imports'));
        return {
          clear: !sloppy || d.chance(0.7),
          question: sloppy && d.chance(0.5) ? '' : 'Which part?',
          target,
          code: code(d, sloppy, /^[A-Za-z_]\w*$/.test(target) ? target : 'main', spec.token, names),
          summary: sloppy ? '' : 'done',
          remaining: sloppy ? Array.from({ length: d.int(0, 3) }, (_, i) => `also part ${i}`) : [],
        };
      }
      default:
        return { raw: `no answer for ${call.task}` };
    }
  };
}

/** Section names shown in a prompt ("# ── section NAME"), else the outline's functions. */
function sectionsIn(call: ScriptedCall): string[] {
  const text = call.messages.map((m) => m.content).join('\n');
  const named = [...text.matchAll(/# ── section (\S+)/g)].map((m) => m[1]!);
  if (named.length > 0) return [...new Set(named)];
  const defs = [...text.matchAll(/^def (\w+)\(/gm)].map((m) => m[1]!);
  return [...new Set(['imports', ...defs, 'main'])];
}

function interview(d: Dice, sloppy: boolean) {
  if (!sloppy) return { questions: d.chance(0.5) ? [] : [question(d, 1)] };
  const count = d.pick([0, 1, 5, 5]);
  return { questions: Array.from({ length: count }, (_, i) => question(d, i + 1)) };
}

function question(d: Dice, n: number) {
  const choices = d.pick([2, 4]);
  return {
    question: d.pick([
      `Which timeout should it use (e.g. 2.5 seconds or 5 seconds)? ${n}.`,
      'Should it overwrite files: 1) yes 2) no?',
      'Output format?',
    ]),
    choices: Array.from({ length: choices }, (_, i) =>
      d.pick(['yes', 'no', '5 seconds', 'JSON', `option ${i}`]),
    ),
    default: d.pick(['no', '5 seconds', 'JSON', 'yes']),
  };
}

function outline(d: Dice, sloppy: boolean, seed: number, spec: (typeof SLOPPY_GOALS)[number], task: string) {
  let functions: { name: string; params: string; returns: string; purpose: string; calls: string[] }[] =
    spec.functions.map((name) => ({
      name,
      params: '*args',
      returns: 'int',
      purpose: 'does its part',
      calls: [],
    }));
  const check: {
    description: string;
    args: string[];
    stdin: string;
    files: { name: string; content: string }[];
    expectExit: number;
    expectOutput: string[];
  } = {
    description: `prints ${spec.token}`,
    args: [...spec.check.args],
    stdin: spec.check.stdin,
    files: spec.check.files.map((f) => ({ ...f })),
    expectExit: 0,
    expectOutput: [spec.token],
  };
  let checks = [check];
  let runMode: 'cli' | 'gui' = 'cli';
  if (sloppy) {
    switch (d.int(0, 9)) {
      case 0:
        functions = [...functions, { ...functions[0]!, name: d.pick(['class', 'print', 'main', 'imports']) }];
        break;
      case 1:
        functions = [...functions, { ...functions[0]! }]; // a duplicate name
        break;
      case 2:
        functions = functions.map((f) => ({ ...f, calls: ['nowhere', 'len'], purpose: '' }));
        break;
      case 3:
        checks = [check, { ...check, expectExit: 1 }, { ...check, expectOutput: ['never printed'] }];
        break;
      case 4:
        checks = [{ ...check, args: ['https://example.com/data.csv'] }];
        break;
      case 5:
        runMode = 'gui';
        break;
      case 6:
        checks = [{ ...check, stdin: 'x'.repeat(50_000), description: '' }];
        break;
      case 7:
        checks = [{ ...check, description: 'runs for 10 minutes to be sure', expectOutput: [spec.token] }];
        break;
      case 8:
        functions = [...functions, { ...functions[0]!, name: d.pick([`step ${d.int(1, 9)}`, 'zählen']) }]; // schema-invalid
        break;
      default:
        if (d.chance(0.3))
          functions = Array.from({ length: 20 }, (_, i) => ({ ...functions[0]!, name: `helper_${i}` }));
    }
  }
  return {
    spec: `${task === 'outline' ? 'A script' : 'A revised script'} for: ${spec.goal} [seed ${seed}]`,
    imports: ['sys'],
    globals: sloppy && d.chance(0.3) ? [{ name: 'MAX SIZE', purpose: '' }] : [],
    functions,
    classes: [],
    mainFlow: ['read input', 'do the work', 'print the result'],
    runMode,
    inputs: { argv: spec.argv, stdin: spec.check.stdin !== '', files: spec.check.files.length > 0 },
    smokeChecks: checks,
  };
}

function code(d: Dice, sloppy: boolean, name: string, token: string, names: readonly string[]): string {
  const right =
    name === 'imports' || name === 'globals'
      ? GOOD_IMPORTS
      : name === 'main'
        ? goodMain(token)
        : goodFunction(name);
  if (!sloppy) return right;
  const other = d.pick(names.filter((n) => n !== name && n !== 'imports' && n !== 'main')) ?? 'other';
  switch (d.int(0, 13)) {
    case 0:
      return `\`\`\`python\n${right}\n\`\`\``;
    case 1:
      return goodFunction(other); // the wrong section
    case 2:
      return [
        GOOD_IMPORTS,
        ...names.filter((n) => n !== 'imports' && n !== 'main').map(goodFunction),
        goodMain(token),
      ].join('\n\n\n'); // the whole script
    case 3:
      return right.replace(/\):/, '):\n    return (');
    case 4:
      return right.replace(/\n {4}/g, '\n\t');
    case 5:
      return name === 'imports'
        ? `${GOOD_IMPORTS}\nimport pandas`
        : right.replace('"""\n', '"""\n    import pandas\n');
    case 6:
      return name === 'main' ? right.replace('    return 0', '    while True:\n        pass') : right;
    case 7:
      return name === 'main' ? right.replace('    return 0', '    input()\n    return 0') : right;
    case 8:
      return name === 'main'
        ? right.replace('    return 0', '    print("x" * 3_000_000)\n    return 0')
        : right;
    case 9:
      return right.replace(/def (\w+)/, 'def $1_v2');
    case 10:
      return name === 'main' ? right.replace('    return 0', '    return 1') : right;
    case 11:
      return `def ${name}():\n    pass`;
    case 12:
      return name === 'main' ? right.replace(`print("${token}"`, 'print("nothing useful"') : right;
    default:
      return right;
  }
}

/**
 * The sloppy model behind the OpenAI stand-in: the same answers, plus an HTTP 500 now and then
 * (the client retries those) — for `ff2 chat --auto` in a child process.
 */
export function sloppyOpenAi(
  options: { cooperative?: number } = {},
): (request: FakeRequest) => Promise<FakeResponse> {
  const inner = respondFromScript(sloppyResponder(options));
  return async (request) => {
    if (request.index % 17 === 5) return errorResponse(500, 'the model server had a hiccup');
    return inner(request);
  };
}
