import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible stand-in (Chat Completions) on 127.0.0.1, port 0, for tests that use the
 * REAL `openai` package or run ff2 in a child process with OPENAI_BASE_URL=<url>.
 *
 *   const server = await startOpenAiServer({ respond: () => jsonAnswer({ ok: true }) });
 *   // OPENAI_BASE_URL=server.url, any OPENAI_API_KEY
 *   await server.close();
 *
 * `respond` sees each POST /v1/chat/completions; every request is recorded in `calls`.
 * GET /v1/models lists one model. Other paths answer 404.
 */

export interface FakeMessage {
  role: string;
  content: string;
}

export interface FakeRequest {
  /** The parsed JSON body. */
  body: Record<string, unknown> & {
    model?: string;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
    max_tokens?: number;
    max_completion_tokens?: number;
    temperature?: number;
  };
  /** `body.messages` with content flattened to text. */
  messages: FakeMessage[];
  headers: IncomingHttpHeaders;
  path: string;
  /**
   * The request's schemaName: `response_format.json_schema.name` in json_schema mode, else the name
   * the schema instruction states in json_object / prompt mode (undefined when neither is there).
   */
  schemaName: string | undefined;
  /** 0-based index of this call on this server. */
  index: number;
}

/** What to answer: an HTTP reply, or `hang` (never answer; the client must time out). */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type FakeResponse = FakeReply | { hang: true };

export type Responder = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface OpenAiServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  calls: FakeRequest[];
  /** Closes the server, dropping hanging requests. Idempotent. */
  close(): Promise<void>;
}

export async function startOpenAiServer(options: {
  respond: Responder;
  model?: string;
}): Promise<OpenAiServer> {
  const calls: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = (req.url ?? '').replace(/\?.*$/, '');
        if (req.method === 'GET' && path.endsWith('/models')) {
          return send(res, {
            body: { object: 'list', data: [{ id: options.model ?? 'fake-model', object: 'model' }] },
          });
        }
        if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
          return send(res, errorResponse(404, `no route ${req.method} ${path}`));
        }
        let body: FakeRequest['body'];
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, errorResponse(400, 'body is not JSON'));
        }
        const request: FakeRequest = {
          body,
          messages: flatten(body.messages),
          headers: req.headers,
          path,
          schemaName: body.response_format?.json_schema?.name ?? instructedName(flatten(body.messages)),
          index: calls.length,
        };
        calls.push(request);
        let reply: FakeResponse;
        try {
          reply = await options.respond(request);
        } catch (error) {
          reply = errorResponse(500, `responder threw: ${(error as Error).message}`);
        }
        if ('hang' in reply) return; // left open until the client gives up or close()
        send(res, reply);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

function send(res: ServerResponse, reply: FakeResponse): void {
  if ('hang' in reply) return;
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  res.end(text);
}

function flatten(messages: unknown): FakeMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m: { role?: string; content?: unknown }) => ({
    role: String(m.role),
    content:
      typeof m.content === 'string'
        ? m.content
        : Array.isArray(m.content)
          ? m.content.map((p: { text?: string }) => p.text ?? '').join('')
          : '',
  }));
}

/** Token counts the stand-in reports: ceil(characters / 4), deterministic. */
export function fakeTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface AnswerOptions {
  finishReason?: 'stop' | 'length' | 'content_filter';
  refusal?: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number };
  model?: string;
  /** The request, so prompt_tokens can be computed from its messages. */
  request?: FakeRequest;
}

/** A normal Chat Completions answer with `content`. */
export function answer(content: string | null, options: AnswerOptions = {}): FakeResponse {
  const prompt = options.request ? fakeTokens(options.request.messages.map((m) => m.content).join('')) : 10;
  const usage = options.usage ?? { prompt_tokens: prompt, completion_tokens: fakeTokens(content ?? '') };
  return {
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: options.model ?? options.request?.body.model ?? 'fake-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: options.refusal ?? null },
          finish_reason: options.finishReason ?? 'stop',
          logprobs: null,
        },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    },
  };
}

/** An answer whose content is `JSON.stringify(value)`. */
export function jsonAnswer(value: unknown, options: AnswerOptions = {}): FakeResponse {
  return answer(JSON.stringify(value), options);
}

/** A truncated answer: `finish_reason: "length"`. */
export function truncated(content: string, options: AnswerOptions = {}): FakeResponse {
  return answer(content, { ...options, finishReason: 'length' });
}

/** A refusal, as OpenAI structured outputs send it. */
export function refusal(
  text = "I'm sorry, I can't help with that.",
  options: AnswerOptions = {},
): FakeResponse {
  return answer(null, { ...options, refusal: text });
}

/** An OpenAI-shaped error: `{ error: { message, type, code, param } }` with status and headers. */
export function errorResponse(
  status: number,
  message: string,
  extra: { headers?: Record<string, string>; code?: string; param?: string; type?: string } = {},
): FakeReply {
  return {
    status,
    headers: extra.headers,
    body: {
      error: {
        message,
        type: extra.type ?? 'invalid_request_error',
        code: extra.code ?? null,
        param: extra.param ?? null,
      },
    },
  };
}

/** Never answers. */
export function hang(): FakeResponse {
  return { hang: true };
}

/** Wraps a responder: requests with `response_format.type === "json_schema"` get a 400, like older servers. */
export function rejectingJsonSchema(inner: Responder): Responder {
  return (request) =>
    request.body.response_format?.type === 'json_schema'
      ? errorResponse(400, "response_format type 'json_schema' is not supported", {
          param: 'response_format',
        })
      : inner(request);
}

/** Answers with each responder in turn; the last one repeats. */
export function sequence(...responders: Responder[]): Responder {
  let i = 0;
  return (request) => {
    const responder = responders[Math.min(i++, responders.length - 1)];
    if (!responder) throw new Error('sequence() needs at least one responder');
    return responder(request);
  };
}

/** The schema name a json_object / prompt mode instruction states ("Answer with exactly one JSON value, `outline`, …"). */
function instructedName(messages: readonly FakeMessage[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'system') continue;
    const name = /^Answer with exactly one JSON value, `(\w+)`/.exec(m.content)?.[1];
    if (name) return name;
  }
  return undefined;
}
