/**
 * Scripted models for sessions that start from something: one adapts the csv-transform template
 * (only `transform` changes), one applies "add a --shout flag" to a small CRLF + tab script.
 */
import type { Outline } from '../../src/pipeline/types.js';
import type { ScriptedCall, ScriptResponder } from './scripted-llm.js';

const ALL_GOOD = { verdicts: [] };

/** The outline JSON a prompt carries (the template's starting outline, or the current one). */
function outlineIn(call: ScriptedCall, label: string): Outline {
  const text = call.messages.map((m) => m.content).join('\n');
  const match = new RegExp(`${label}:\\n(\\{.*\\})`).exec(text);
  if (!match) throw new Error(`no ${label} in the ${call.task} prompt`);
  return JSON.parse(match[1]!) as Outline;
}

const SORTING_TRANSFORM = `def transform(rows, columns, where, sort_by=None):
    """Rows matching where, sorted by sort_by, reduced to columns."""
    if where:
        key, _, value = where.partition("=")
        rows = [row for row in rows if str(row.get(key.strip(), "")) == value.strip()]
    if sort_by:
        rows = sorted(rows, key=lambda row: row.get(sort_by, ""))
    if columns:
        rows = [{name: row.get(name, "") for name in columns} for row in rows]
    return rows`;

/** A model that adapts the csv-transform template: only `transform` changes. */
export const templateModel: ScriptResponder = (call) => {
  switch (call.task) {
    case 'interview':
      return { questions: [] };
    case 'outline': {
      const start = outlineIn(call, 'Starting outline JSON');
      return {
        ...start,
        functions: start.functions.map((f) =>
          f.name === 'transform'
            ? {
                ...f,
                params: 'rows, columns, where, sort_by=None',
                purpose: 'Filters, sorts and keeps columns.',
              }
            : f,
        ),
      };
    }
    case 'generate':
      return { code: call.section === 'transform' ? SORTING_TRANSFORM : 'raise SystemExit(9)' };
    case 'review':
      return ALL_GOOD;
    default:
      return { raw: `unexpected ${call.task}` };
  }
};

export const CRLF_TABS =
  '"""Greets people."""\r\nimport sys\r\n\r\n\r\ndef greet(name):\r\n\t"""Says hello to name."""\r\n\treturn f"Hello, {name}!"\r\n\r\n\r\ndef main(argv=None):\r\n\targs = sys.argv[1:] if argv is None else argv\r\n\tprint(greet(args[0] if args else "world"))\r\n\treturn 0\r\n\r\n\r\nif __name__ == "__main__":\r\n\tsys.exit(main())\r\n';

const SHOUT_GREET = `def greet(name, shout=False):
    """Says hello to name, upper-cased when shout."""
    text = f"Hello, {name}!"
    return text.upper() if shout else text`;
const SHOUT_MAIN = `def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    shout = "--shout" in args
    names = [a for a in args if a != "--shout"]
    print(greet(names[0] if names else "world", shout))
    return 0


if __name__ == "__main__":
    sys.exit(main())`;

/** A model that applies "add --shout" to the person's script: greet and main change. */
export const ownScriptModel: ScriptResponder = (call) => {
  switch (call.task) {
    case 'interview': // only when the script comes after the goal, in the thread
      return {
        questions: [{ question: 'Who to greet by default?', choices: ['world', 'you'], default: 'world' }],
      };
    case 'revise_outline': {
      const current = outlineIn(call, 'Current outline JSON');
      return {
        ...current,
        functions: current.functions.map((f) =>
          f.name === 'greet'
            ? { ...f, params: 'name, shout=False', purpose: 'Says hello, loud with shout.' }
            : f,
        ),
        mainFlow: ['read the name and --shout', 'print the greeting'],
        smokeChecks: [
          {
            description: 'shouts',
            args: ['--shout', 'Ada'],
            stdin: '',
            files: [],
            expectExit: 0,
            expectOutput: ['HELLO, ADA!'],
          },
        ],
      };
    }
    case 'generate':
      return { code: call.section === 'greet' ? SHOUT_GREET : SHOUT_MAIN };
    case 'review':
      return ALL_GOOD;
    default:
      return { raw: `unexpected ${call.task}` };
  }
};
