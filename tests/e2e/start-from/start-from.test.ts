import { afterEach, describe, expect, it } from 'vitest';
import { CRLF_TABS, ownScriptModel, templateModel } from '../../fakes/start-from-models.js';
import { type Harness, startHarness } from '../pipeline/harness.js';

const UIDS = { TEST_UID_BASE: '66601' };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function startWith(
  harness: Harness,
  goal: string,
  extra: { template?: string; script?: { name: string; bytes: Uint8Array } },
) {
  await harness.chat.emit({
    kind: 'start',
    id: 'start-1',
    thread: harness.chat.thread('t1'),
    user: { id: 'owner', name: 'owner' },
    goal,
    respond: async (text) => void harness.chat.responses.push({ user: 'owner', text }),
    ...extra,
  });
  await harness.app.idle();
}

describe('starting from a template', () => {
  it('adapts the outline, writes only the changed section and runs green', async () => {
    h = await startHarness(templateModel, UIDS);
    await startWith(h, 'from:csv-transform filter a CSV and sort it by a column', {});
    expect(h.session().stage).toBe('approve_outline');
    expect(h.session().goal).toBe('filter a CSV and sort it by a column');
    const gate = h.chat.texts().find((t) => t.includes('From template csv-transform')) ?? '';
    expect(gate).toContain('kept as is: imports, parse_args, read_rows, write_rows and main');
    expect(gate).toContain('to write for your goal: transform');
    // The interview saw the template's outline as its starting point.
    expect(h.llm.calls.find((c) => c.task === 'interview')?.messages.at(-1)?.content).toContain(
      'def read_rows(path)',
    );
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.llm.calls.filter((c) => c.task === 'generate').map((c) => c.section)).toEqual(['transform']);
    expect(h.session().stage).toBe('approve_run');
    const code = h.store.listScriptVersions(h.session().id).at(-1)!.code;
    expect(code).toContain('sort_by=None');
    expect(code).toContain('def read_rows(path):');
    expect(
      h.chat.texts().some((t) => t.includes('From the template csv-transform: imports, parse_args')),
    ).toBe(true);
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage, h.chat.texts().slice(-3).join('\n')).toBe('give_feedback');
    expect(h.store.listRuns(h.session().id).at(-1)?.status).toBe('ok');
  });

  it('says which templates exist when the name is unknown, and starts nothing', async () => {
    h = await startHarness(templateModel, UIDS);
    await startWith(h, 'from:nope do things', {});
    expect(() => h!.session()).toThrow();
    expect(h.chat.responses.at(-1)?.text).toContain('There is no template "nope"');
    await h.chat.emit({
      kind: 'command',
      id: 'c1',
      thread: h.chat.thread(''),
      user: { id: 'owner' },
      command: 'templates',
      args: '',
      respond: async (text) => void h!.chat.responses.push({ user: 'owner', text }),
    });
    expect(h.chat.responses.at(-1)?.text).toContain('tk-form (gui)');
  });
});

describe('starting from the person’s script', () => {
  it('shows it as version 1 byte for byte with no model call, then applies the goal and runs green', async () => {
    h = await startHarness(ownScriptModel, UIDS);
    await startWith(h, 'add a --shout flag', {
      script: { name: 'greet.py', bytes: new TextEncoder().encode(CRLF_TABS) },
    });
    const session = h.session();
    expect(session.stage).toBe('approve_outline');
    expect(h.llm.calls).toHaveLength(0);
    const v1 = h.store.listScriptVersions(session.id);
    expect(v1).toHaveLength(1);
    expect(v1[0]!.code).toBe(CRLF_TABS);
    expect(v1[0]!.reason).toBe('your script greet.py');
    const texts = h.chat.texts().join('\n');
    expect(texts).toContain('Sections: imports, greet, main.');
    expect(texts).toContain('greet(name) → see the code: Says hello to name.');
    expect(texts).toContain('Requested change (your goal): add a --shout flag');
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_outline');
    expect(h.llm.countByTask().revise_outline).toBe(1);
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.llm.calls.filter((c) => c.task === 'generate').map((c) => c.section)).toEqual(['greet', 'main']);
    expect(h.session().stage).toBe('approve_run');
    await h.chat.click('Run');
    await h.app.idle();
    expect(h.session().stage, h.chat.texts().slice(-3).join('\n')).toBe('give_feedback');
    expect(h.store.listRuns(h.session().id).at(-1)?.status).toBe('ok');

    // A stranger's file is a comment only.
    const before = h.store.listScriptVersions(h.session().id).length;
    await h.chat.attach('mine.py', new TextEncoder().encode('print("hijack")\n'), { user: 'stranger' });
    await h.app.idle();
    expect(h.store.listScriptVersions(h.session().id)).toHaveLength(before);
    expect(h.store.listEvents(h.session().id).some((e) => e.type === 'comment')).toBe(true);

    // The owner's hand edit becomes the next version, diffed, with the outline fitted.
    const current = h.store.listScriptVersions(h.session().id).at(-1)!.code;
    const edited = current.replace(
      'def main(argv=None):',
      'def farewell(name):\n    """Says goodbye."""\n    return f"Bye, {name}!"\n\n\ndef main(argv=None):',
    );
    await h.chat.attach('greet.py', new TextEncoder().encode(edited));
    await h.app.idle();
    await h.chat.click('Use as the new script');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_run');
    const last = h.store.listScriptVersions(h.session().id).at(-1)!;
    expect(last.reason).toBe('edited by owner');
    expect(last.code).toBe(edited);
    expect(last.diff).toContain('+def farewell(name):');
    expect(
      h.chat.texts().some((t) => t.includes('Outline updated to match your script: added farewell')),
    ).toBe(true);
  });

  it('accepts a script with a syntax error as version 1 and reports it', async () => {
    h = await startHarness(ownScriptModel, UIDS);
    const broken = 'import sys\n\n\ndef main(:\n    return 0\n';
    await startWith(h, 'make it work', {
      script: { name: 'broken.py', bytes: new TextEncoder().encode(broken) },
    });
    expect(h.session().stage).toBe('approve_outline');
    expect(h.llm.calls).toHaveLength(0);
    expect(h.store.listScriptVersions(h.session().id)[0]!.code).toBe(broken);
    expect(h.chat.texts().join('\n')).toMatch(/Problems found:\n• main: syntax error at line 4/);
  });

  it('takes an edited script attached at the outline gate as the next version, then checks it for a run', async () => {
    h = await startHarness(ownScriptModel, UIDS);
    await startWith(h, 'add a --shout flag', {
      script: { name: 'greet.py', bytes: new TextEncoder().encode(CRLF_TABS) },
    });
    expect(h.session().stage).toBe('approve_outline');
    const edited = CRLF_TABS.replace(
      'def main(',
      'def farewell(name):\r\n\treturn f"Bye, {name}!"\r\n\r\n\r\ndef main(',
    );
    await h.chat.attach('greet.py', new TextEncoder().encode(edited));
    await h.app.idle();
    const session = h.session();
    expect(session.stage).toBe('approve_run');
    expect(h.llm.calls).toHaveLength(0);
    const versions = h.store.listScriptVersions(session.id);
    expect(versions.map((v) => v.reason)).toEqual(['your script greet.py', 'edited by owner']);
    expect(versions[1]!.code).toBe(edited);
    expect(versions[1]!.diff).toContain('+def farewell(name):');
    const outline = (session.state as { outline: { functions: { name: string }[] } }).outline;
    expect(outline.functions.map((f) => f.name)).toEqual(['greet', 'farewell']);
  });

  it('keeps module-level code between the person’s functions when sections are rewritten', async () => {
    h = await startHarness(ownScriptModel, UIDS);
    const script = [
      'import sys',
      '',
      '',
      'def greet(name):',
      '    """Says hello."""',
      '    return f"Hello, {name}!"',
      '',
      '',
      'DEFAULT = "world"',
      '',
      '',
      'def main(argv=None):',
      '    args = sys.argv[1:] if argv is None else argv',
      '    print(greet(args[0] if args else DEFAULT))',
      '    return 0',
      '',
      '',
      'if __name__ == "__main__":',
      '    sys.exit(main())',
      '',
    ].join('\n');
    await startWith(h, 'add a --shout flag', {
      script: { name: 'greet.py', bytes: new TextEncoder().encode(script) },
    });
    await h.chat.click('Approve');
    await h.app.idle();
    await h.chat.click('Approve');
    await h.app.idle();
    expect(h.session().stage).toBe('approve_run');
    const code = h.store.listScriptVersions(h.session().id).at(-1)!.code;
    expect(code.indexOf('DEFAULT = "world"')).toBeGreaterThan(code.indexOf('def greet('));
    expect(code.indexOf('DEFAULT = "world"')).toBeLessThan(code.indexOf('def main('));
  });
});
