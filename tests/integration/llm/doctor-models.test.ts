import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli.js';
import type { CliIo } from '../../../src/commands/types.js';
import { loadConfig } from '../../../src/config.js';
import { llmCheck } from '../../../src/doctor/llm.js';
import {
  jsonAnswer,
  type OpenAiServer,
  rejectingJsonSchema,
  startOpenAiServer,
} from '../../fakes/openai-server.js';
import { writeTinyGguf } from '../../fakes/tiny-gguf.js';

const dir = mkdtempSync(join(tmpdir(), 'ff2-llm-doctor-'));
const servers: OpenAiServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('doctor llm check', () => {
  it('reports provider, model, the JSON mode it settled on and latency', async () => {
    const server = await startOpenAiServer({ respond: rejectingJsonSchema(() => jsonAnswer({ ok: true })) });
    servers.push(server);
    const config = loadConfig({ FF2_DATA_DIR: dir, OPENAI_BASE_URL: server.url, FF2_MODEL: 'm1' }, dir);
    const result = await llmCheck.run(config);
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(
      /^openai m1 via http:\/\/127\.0\.0\.1:\d+\/v1, JSON mode json_object, \d+ ms/,
    );
  });

  it('names the reason and the fix when the server is down, without waiting out retries', async () => {
    const config = loadConfig({ FF2_DATA_DIR: dir, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, dir);
    const result = await llmCheck.run(config);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('unavailable');
    expect(result.fix).toContain('http://127.0.0.1:9/v1');
  });

  it('offline with no local model, says how to get one instead of downloading', async () => {
    const config = loadConfig({ FF2_DATA_DIR: join(dir, 'empty') }, dir);
    expect(config.llm.provider).toBe('llama');
    const result = await llmCheck.run(config);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('ff2 models pull');
    for (const name of ['FF2_GGUF', 'OPENAI_BASE_URL', 'OPENAI_API_KEY']) expect(result.fix).toContain(name);
  });

  it('round-trips through a local GGUF given by FF2_GGUF', async () => {
    const gguf = writeTinyGguf(dir);
    const config = loadConfig(
      { FF2_DATA_DIR: dir, FF2_GGUF: gguf, FF2_LLAMA_THREADS: '1', FF2_LLAMA_SEQUENCES: '1' },
      dir,
    );
    const result = await llmCheck.run(config);
    expect(result.detail).toMatch(/^llama tiny-llama/);
    expect(result.ok).toBe(true);
  }, 60_000);
});

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    cwd: dir,
    stdin: new PassThrough(),
    stdoutIsTTY: false,
  };
  return { code: await runCli(args, io), out: () => out, err: () => err };
}

describe('ff2 models', () => {
  it('lists the .gguf files on disk with sizes', async () => {
    const data = join(dir, 'data-list');
    mkdirSync(join(data, 'models'), { recursive: true });
    writeTinyGguf(join(data, 'models'));
    const text = await cli(['models', 'list'], { FF2_DATA_DIR: data });
    expect(text.code).toBe(0);
    expect(text.out()).toMatch(/^\s+\d+\.\d KB {2}tiny-llama\.gguf\n$/);
    const json = await cli(['models', 'list', '--json'], { FF2_DATA_DIR: data });
    expect(JSON.parse(json.out()).models[0]).toMatchObject({ name: 'tiny-llama.gguf' });
  });

  it('pulls a model URI into the models directory with a progress bar on stderr', async () => {
    const bytes = readFileSync(writeTinyGguf(join(dir, 'src-model')));
    const host = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((ready) => host.listen(0, '127.0.0.1', ready));
    try {
      const data = join(dir, 'data-pull-ok');
      const { port } = host.address() as AddressInfo;
      const result = await cli(['models', 'pull', `http://127.0.0.1:${port}/m/tiny.gguf`], {
        FF2_DATA_DIR: data,
      });
      expect(result.code).toBe(0);
      const path = result.out().trim();
      expect(path).toBe(join(data, 'models', 'tiny.gguf'));
      expect(existsSync(path)).toBe(true);
      expect(result.err()).toMatch(/\r\[#+\] 100%/);
      const list = await cli(['models', 'list'], { FF2_DATA_DIR: data });
      expect(list.out()).toContain('tiny.gguf');
    } finally {
      host.closeAllConnections();
      await new Promise((closed) => host.close(closed));
    }
  }, 30_000);

  it('pull fails fast offline with the ways forward, exit 3', async () => {
    // Offline without the internet: the model's host is a loopback port nobody listens on (the
    // reachability check must refuse it before any download starts).
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const result = await cli(['models', 'pull', `https://127.0.0.1:${port}/m/model.gguf`], {
      FF2_DATA_DIR: join(dir, 'data-pull'),
    });
    expect(result.code).toBe(3);
    expect(result.err()).toMatch(
      /127\.0\.0\.1 cannot be reached.*FF2_GGUF.*OPENAI_BASE_URL.*OPENAI_API_KEY/s,
    );
  });

  it('rejects a file path or a missing subcommand as usage errors', async () => {
    expect((await cli(['models', 'pull', './x.gguf'], { FF2_DATA_DIR: dir })).code).toBe(2);
    expect((await cli(['models'], { FF2_DATA_DIR: dir })).code).toBe(2);
  });
});
