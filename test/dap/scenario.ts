/**
 * The debugger acceptance script, run against any adapter that boots test/dap/fixture.asm: the
 * in-process session over a fake CPU and the standalone `win31 dap` over the real Machine run the
 * same steps. Expected values come from the fixture's source and nasm's listing.
 */
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { expect } from 'vitest';
import { label, segOff, type Fixture } from './fixture.js';

const T = { threadId: 1 };

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0];
}

export async function pc(dc: DebugClient): Promise<number> {
  return Number((await topFrame(dc)).instructionPointerReference);
}

/** Every register row (General with children, Segments, Flags) by name. */
export async function registers(dc: DebugClient): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const sc = await dc.scopesRequest({ frameId: 1 });
  for (const scope of sc.body.scopes.filter((s) => s.name !== 'Stack')) {
    const vars = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    for (const v of vars.body.variables) {
      out.set(v.name, v.value);
      if (v.variablesReference && scope.name === 'General') {
        const kids = await dc.variablesRequest({ variablesReference: v.variablesReference });
        for (const k of kids.body.variables) out.set(k.name, k.value);
      }
    }
  }
  return out;
}

async function stopAfter(dc: DebugClient, action: Promise<unknown>, reason?: string): Promise<DebugProtocol.StoppedEvent> {
  const [, ev] = await Promise.all([action, dc.waitForEvent('stopped', 10_000)]);
  if (reason) expect(ev.body.reason).toBe(reason);
  return ev as DebugProtocol.StoppedEvent;
}

export async function launchToBootSector(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  await dc.initializeRequest({ adapterID: 'win31', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const initialized = dc.waitForEvent('initialized', 20_000);
  await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await stopAfter(dc, dc.configurationDoneRequest(), 'entry');
  expect(await pc(dc)).toBe(0x7c00);
}

export async function runScenario(dc: DebugClient, f: Fixture): Promise<void> {
  const L = (n: string): number => label(f, n);
  const frame = await topFrame(dc);
  expect(frame.name).toMatch(/^0000:7C00 /);

  // A function breakpoint in seg:off form hits, and the registers are those the code set.
  const callNear = L('after_near') - 3;
  const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: segOff(callNear) }] });
  expect(set.body.breakpoints[0].verified).toBe(true);
  const hit = await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  expect(hit.body.hitBreakpointIds).toEqual([set.body.breakpoints[0].id]);
  expect(await pc(dc)).toBe(callNear);
  let r = await registers(dc);
  expect(r.get('AX')).toBe('0x1234');
  expect(r.get('AH')).toBe('0x12');
  expect(r.get('AL')).toBe('0x34');
  expect(r.get('SP')).toBe('0x7C00');
  expect(r.get('SS')).toBe('0x0000');
  expect(r.get('IF')).toBe('0');
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

  // Step over a near CALL (which makes a nested call), a far CALL, and an INT.
  await stopAfter(dc, dc.nextRequest(T), 'step');
  expect(await pc(dc)).toBe(L('after_near'));
  r = await registers(dc);
  expect(r.get('BX')).toBe('0x5678');
  expect(r.get('SI')).toBe('0x1111');
  expect(r.get('SP')).toBe('0x7C00');
  await stopAfter(dc, dc.nextRequest(T), 'step');
  expect(await pc(dc)).toBe(L('after_far'));
  expect((await registers(dc)).get('DI')).toBe('0x2222');
  await stopAfter(dc, dc.nextRequest(T), 'step');
  expect(await pc(dc)).toBe(L('after_int'));
  expect((await registers(dc)).get('DX')).toBe('0x3333');

  // Step over a LOOP runs all its iterations.
  await stopAfter(dc, dc.nextRequest(T), 'step'); // mov cx, 3
  await stopAfter(dc, dc.nextRequest(T), 'step'); // inc dx
  await stopAfter(dc, dc.nextRequest(T), 'step'); // loop count
  expect(await pc(dc)).toBe(L('count') + 3);
  r = await registers(dc);
  expect(r.get('CX')).toBe('0x0000');
  expect(r.get('DX')).toBe('0x3336');

  // Step over REP STOSB runs every iteration.
  await stopAfter(dc, dc.nextRequest(T), 'step'); // mov word [0600h]
  await stopAfter(dc, dc.nextRequest(T), 'step'); // mov di
  await stopAfter(dc, dc.nextRequest(T), 'step'); // mov cx
  await stopAfter(dc, dc.nextRequest(T), 'step'); // rep stosb
  expect(await pc(dc)).toBe(L('after_rep'));
  r = await registers(dc);
  expect(r.get('CX')).toBe('0x0000');
  expect(r.get('DI')).toBe('0x0704');
  expect((await dc.evaluateRequest({ expression: 'dword [0:700h]', context: 'watch' })).body.result).toBe('0x34343434 (875836468)');

  // Step in, then step out of a near call: rewind IP to the CALL through setVariable.
  const sv = await dc.setVariableRequest({ variablesReference: 1, name: 'IP', value: `${(callNear & 0xffff).toString(16)}h` });
  expect(sv.body.value).toBe('0x' + callNear.toString(16).toUpperCase());
  await stopAfter(dc, dc.stepInRequest(T), 'step');
  expect(await pc(dc)).toBe(L('near_fn'));
  await stopAfter(dc, dc.stepInRequest(T), 'step'); // push bp
  await stopAfter(dc, dc.stepInRequest(T), 'step'); // mov bp, sp
  // The stack trace walks the BP chain: the caller's return address is a validated near frame.
  const st = await dc.stackTraceRequest(T);
  expect(st.body.stackFrames.length).toBeGreaterThanOrEqual(2);
  expect(Number(st.body.stackFrames[1].instructionPointerReference)).toBe(L('after_near'));
  expect(st.body.stackFrames[1].name).toMatch(/near return/);
  await stopAfter(dc, dc.stepOutRequest(T), 'step');
  expect(await pc(dc)).toBe(L('after_near'));

  // Memory: write then read back, by seg:off and by linear and physical references.
  const w = await dc.customRequest('writeMemory', { memoryReference: '0000:0700', data: Buffer.from([1, 2, 3, 0xfe]).toString('base64') });
  expect(w.body.bytesWritten).toBe(4);
  const rd = await dc.customRequest('readMemory', { memoryReference: 'lin:6FE', offset: 2, count: 4 });
  expect([...Buffer.from(rd.body.data, 'base64')]).toEqual([1, 2, 3, 0xfe]);
  expect(rd.body.address).toBe('0x00000700');
  const rp = await dc.customRequest('readMemory', { memoryReference: 'phys:700', count: 2 });
  expect([...Buffer.from(rp.body.data, 'base64')]).toEqual([1, 2]);
  const ev = await dc.evaluateRequest({ expression: 'dword [0:700h]', context: 'watch' });
  expect(ev.body.result).toBe('0xFE030201 (4261609985)');
  const evp = await dc.evaluateRequest({ expression: 'byte [es:di - 704h + 701h] + 1', context: 'watch' });
  expect(evp.body.result).toMatch(/^0x03 /);

  // Disassembly: exactly the requested count, linear addresses, CS:IP in the text, and a
  // backwards listing aligned on real instruction starts (nasm's listing is the oracle).
  const dis = await dc.disassembleRequest({ memoryReference: '0x7C00', instructionCount: 3 });
  expect(dis.body?.instructions.map((i) => i.address)).toEqual(['0x00007C00', '0x00007C01', '0x00007C04']);
  expect(dis.body?.instructions[0].instruction).toMatch(/^0000:7C00\s+cli$/);
  expect(dis.body?.instructions[1].instruction).toMatch(/^0000:7C01\s+mov\s+ax,\s*0$/);
  const back = await dc.disassembleRequest({ memoryReference: '0x' + L('after_int').toString(16), instructionOffset: -6, instructionCount: 8 });
  const addrs = (back.body?.instructions ?? []).map((i) => Number(i.address));
  expect(addrs).toHaveLength(8);
  const at = f.starts.indexOf(L('after_int'));
  expect(addrs).toEqual(f.starts.slice(at - 6, at + 2));

  // A conditional breakpoint: the first pass has AX=4C00h, the second 4C01h.
  const cond = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: `lin:${L('cond_site').toString(16)}h`, condition: 'ax == 4C01h' }] });
  expect(cond.body.breakpoints[0].verified).toBe(true);
  // A logpoint in the loop body (not reached again here) and an instruction breakpoint elsewhere.
  await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  expect(await pc(dc)).toBe(L('cond_site'));
  expect((await registers(dc)).get('AX')).toBe('0x4C01');

  // A hit count: stop at the 3rd pass only.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: segOff(L('cond_site')), hitCondition: '3' }] });
  const before = await dc.evaluateRequest({ expression: 'ax', context: 'watch' });
  expect(before.body.result).toMatch(/^0x4C01/);
  await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  expect(await pc(dc)).toBe(L('cond_site'));

  // A logpoint with register interpolation prints and does not stop; a later breakpoint does.
  const logs: string[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => logs.push(e.body.output));
  await dc.setFunctionBreakpointsRequest({
    breakpoints: [
      { name: `${segOff(L('cond_site') + 1)} log ax={ax} at {cs}:{ip}` },
      { name: segOff(L('cond_site')), hitCondition: '2' },
    ],
  });
  await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  const logLine = `ax=4C01 at 0000:${(L('cond_site') + 1).toString(16).toUpperCase()}\n`;
  expect(logs.filter((l) => l === logLine).length).toBeGreaterThanOrEqual(1);
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

  // A physical-address breakpoint (paging is off: physical = linear).
  const ph = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: `phys:${L('cond_site').toString(16)}` }] });
  expect(ph.body.breakpoints[0].verified).toBe(true);
  await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  expect(await pc(dc)).toBe(L('cond_site'));
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

  // Instruction breakpoints (the Disassembly view's) by linear reference.
  const ib = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x' + L('cond_site').toString(16), offset: 1 }] });
  expect(ib.body.breakpoints[0].verified).toBe(true);
  await stopAfter(dc, dc.continueRequest(T), 'breakpoint');
  expect(await pc(dc)).toBe(L('cond_site') + 1);
  await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });

  // Errors say what is wrong.
  await expect(dc.evaluateRequest({ expression: 'ax + foo', context: 'watch' })).rejects.toThrow(/unknown name 'foo'/);
  await expect(dc.evaluateRequest({ expression: 'byte [es:di', context: 'watch' })).rejects.toThrow(/expected '\]'/);
  await expect(dc.evaluateRequest({ expression: '[bx]', context: 'watch' })).rejects.toThrow(/needs a size/);
  await expect(dc.evaluateRequest({ expression: 'ax / 0', context: 'watch' })).rejects.toThrow(/division by zero/);
  await expect(dc.evaluateRequest({ expression: 'byte [phys:0FFFFFF0h]', context: 'watch' })).rejects.toThrow(/not readable/);
  const bad = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '0000:' }, { name: 'word [bx]' }, { name: segOff(0x7c00), condition: 'ax ==' }] });
  expect(bad.body.breakpoints.map((b) => b.verified)).toEqual([false, false, false]);
  expect(bad.body.breakpoints[0].message).toMatch(/ends too early/);
  expect(bad.body.breakpoints[1].message).toMatch(/reads memory/);
  const unreadable = await dc.customRequest('readMemory', { memoryReference: 'phys:0FFFFFFEh', count: 4 });
  expect(unreadable.body.unreadableBytes).toBeGreaterThan(0);
  await expect(dc.customRequest('readMemory', { memoryReference: 'nonsense', count: 4 })).rejects.toThrow(/unknown name 'nonsense'/);
}
