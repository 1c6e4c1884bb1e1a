import { describe, expect, it, vi } from 'vitest';
import { isLivePageRender, LiveRenderGate } from './live-render-gate';

describe('live page renders', () => {
  it('are the pages whose query runs the model, nothing else', () => {
    expect(isLivePageRender('GET', '/models/m/heads/1.3?text=Once%20upon')).toBe(true);
    expect(isLivePageRender('GET', '/runs/r1/models/m/neurons/0/5?probe=hello')).toBe(true);
    expect(isLivePageRender('HEAD', '/models/m/heads/1.3?text=x')).toBe(true);
    expect(isLivePageRender('GET', '/models/m/heads/1.3?text=')).toBe(false);
    expect(isLivePageRender('GET', '/models/m/heads/1.3')).toBe(false);
    expect(isLivePageRender('GET', '/models/m?sort=induction')).toBe(false);
    expect(isLivePageRender('GET', '/api/v1/models/m/attention?text=x')).toBe(false);
    expect(isLivePageRender('POST', '/models/m/heads/1.3?text=x')).toBe(false);
    expect(isLivePageRender('GET', undefined)).toBe(false);
  });

  it('take at most `limit` slots; a slot given back twice counts once', () => {
    const gate = new LiveRenderGate(2);
    const a = gate.tryEnter();
    const b = gate.tryEnter();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(gate.tryEnter()).toBeNull();
    a!();
    a!();
    expect(gate.active).toBe(1);
    expect(gate.tryEnter()).not.toBeNull();
    expect(gate.tryEnter()).toBeNull();
    expect(() => new LiveRenderGate(0)).toThrow('positive integer');
  });
});

describe('waiting for a live render slot', () => {
  it('admits waiters first come first served as slots free, refuses beyond the queue, and gives up after maxWaitMs', async () => {
    vi.useFakeTimers();
    try {
      const gate = new LiveRenderGate(1, 2, 1_000);
      const first = await gate.enter();
      expect(first).not.toBeNull();
      const order: string[] = [];
      const a = gate.enter().then((leave) => (order.push(leave ? 'a' : 'a-refused'), leave));
      const b = gate.enter().then((leave) => (order.push(leave ? 'b' : 'b-refused'), leave));
      expect(await gate.enter()).toBeNull(); // the queue (2) is full: refused at once
      expect(gate.queued).toBe(2);
      first!();
      const leaveA = await a;
      expect(order).toEqual(['a']);
      expect(gate.active).toBe(1); // the slot passed from first to a
      await vi.advanceTimersByTimeAsync(1_000); // b waited its whole second
      expect(await b).toBeNull();
      expect(order).toEqual(['a', 'b-refused']);
      leaveA!();
      leaveA!();
      expect(gate.active).toBe(0);
      expect(gate.queued).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
