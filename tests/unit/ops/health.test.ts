import { describe, expect, it } from 'vitest';
import { answerOps, Health } from '../../../src/ops/health.js';
import { Metrics } from '../../../src/ops/metrics.js';

describe('GET /healthz', () => {
  const metrics = new Metrics({ store: {}, processMetrics: false });

  it('is 200 when the database takes a write and the lease is held', async () => {
    const health = new Health({ store: { probeWrite: () => {} }, leaseHeld: () => true });
    const reply = await answerOps('/healthz', { health, metrics });
    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply!.body)).toMatchObject({ ok: true, database: { ok: true }, lease: { ok: true } });
    health.close();
  });

  it('is 503 naming the failing part when the database is read-only or the lease is lost', async () => {
    const readOnly = new Health({
      store: {
        probeWrite: () => {
          throw new Error('attempt to write a readonly database');
        },
      },
      leaseHeld: () => true,
    });
    const a = await answerOps('/healthz', { health: readOnly, metrics });
    expect(a!.status).toBe(503);
    expect(JSON.parse(a!.body)).toMatchObject({
      ok: false,
      database: { ok: false, error: expect.stringContaining('readonly') },
    });
    const leaseLost = new Health({ store: { probeWrite: () => {} }, leaseHeld: () => false });
    const b = await answerOps('/healthz', { health: leaseLost, metrics });
    expect(b!.status).toBe(503);
    expect(JSON.parse(b!.body)).toMatchObject({ ok: false, lease: { ok: false } });
    readOnly.close();
    leaseLost.close();
    expect(await answerOps('/other', { health: leaseLost, metrics })).toBeUndefined();
  });
});
