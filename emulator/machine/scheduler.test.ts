import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('fires timers in deadline order, creation order on ties, at their exact tick', () => {
    const s = new Scheduler(1000);
    const fired: string[] = [];
    const a = s.createTimer('a', (now) => fired.push(`a@${now}`));
    const b = s.createTimer('b', (now) => fired.push(`b@${now}`));
    const c = s.createTimer('c', (now) => fired.push(`c@${now}`));
    c.setAt(5);
    b.setAt(3);
    a.setAt(5);
    expect(s.nextDeadline()).toBe(3);
    s.advance(4);
    expect(fired).toEqual(['b@3']);
    expect(s.now).toBe(4);
    s.advance(10);
    expect(fired).toEqual(['b@3', 'a@5', 'c@5']);
    expect(s.nextDeadline()).toBe(Infinity);
  });

  it('lets a callback re-arm a periodic timer within one advance', () => {
    const s = new Scheduler(100);
    const ticks: number[] = [];
    const t = s.createTimer('periodic', (now) => {
      ticks.push(now);
      t.setAt(now + 7);
    });
    t.setAt(7);
    s.advance(30);
    expect(ticks).toEqual([7, 14, 21, 28]);
    expect(t.deadline).toBe(35);
  });

  it('rounds fractional deadlines up and never schedules in the past', () => {
    const s = new Scheduler(100);
    const t = s.createTimer('t', () => {});
    s.advance(10);
    t.setAt(12.2);
    expect(t.deadline).toBe(13);
    t.setAt(4);
    expect(t.deadline).toBe(10);
  });

  it('restores time and timers from a saved state by name', () => {
    const make = () => {
      const s = new Scheduler(50);
      const log: number[] = [];
      const t = s.createTimer('x', (now) => log.push(now));
      const u = s.createTimer('y', () => {});
      return { s, t, u, log };
    };
    const one = make();
    one.t.setAt(40);
    one.s.advance(25);
    const saved = one.s.saveState();
    const two = make();
    two.s.loadState(saved);
    expect(two.s.now).toBe(25);
    expect(two.t.deadline).toBe(40);
    expect(two.u.active).toBe(false);
    two.s.advance(20);
    expect(two.log).toEqual([40]);
    expect(() => new Scheduler(51).loadState(saved)).toThrow(/ticks\/s/);
  });

  it('rejects duplicate timer names', () => {
    const s = new Scheduler();
    s.createTimer('dup', () => {});
    expect(() => s.createTimer('dup', () => {})).toThrow(/already exists/);
  });
});
