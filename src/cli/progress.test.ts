// The progress display: plain lines throttled per kind, the mode choice, and the silent and
// terminal implementations behind the same interface.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseProgressMode, createProgress, LinesProgress, progressLine } from './progress.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('LinesProgress', () => {
  it('prints at most one line per kind per interval, and always the final count', () => {
    const out = capture();
    let now = 0;
    const p = new LinesProgress({ stream: out.stream, intervalMs: 5000, now: () => now });
    p.update('users', 0, 5000);
    p.update('groups', 10);
    now = 1000;
    p.update('users', 1200, 5000); // throttled
    now = 5000;
    p.update('users', 2400, 5000);
    p.update('groups', 200); // throttled: groups last printed at 0… but 5000 - 0 >= 5000
    now = 6000;
    p.update('users', 3000, 5000); // throttled
    p.log('conditional access: waiting for the 1 request/s limit');
    p.finish('users', 5000, 5000);
    p.update('users', 5000, 5000); // after finish: nothing
    p.finish('users', 5000, 5000); // once only
    p.finish('groups', 250);
    p.stop();
    expect(out.text()).toBe(
      [
        'users: 0/5000',
        'groups: 10',
        'users: 2400/5000',
        'groups: 200',
        'conditional access: waiting for the 1 request/s limit',
        'users: 5000/5000 done',
        'groups: 250 done',
        '',
      ].join('\n'),
    );
  });

  it('shows the count a read ends on, however soon it ends, and what the throttle held back', () => {
    // The readers report the start as update(kind, 0) and the end as update(kind, n, n): a read
    // shorter than the interval used to leave 'user: 0' as its only line.
    const out = capture();
    let now = 0;
    const p = new LinesProgress({ stream: out.stream, intervalMs: 5000, now: () => now });
    p.update('user', 0);
    now = 800;
    p.update('user', 150);
    p.update('group', 0);
    now = 1500;
    p.update('user', 298, 298);
    p.update('group', 40); // held back by the throttle
    now = 2000;
    p.update('user', 0); // a second read of the same kind (a recovery reads again after applying)
    p.update('user', 298, 298);
    p.stop();
    expect(out.text()).toBe(['user: reading', 'group: reading', 'user: 298/298 done', 'user: 298/298 done', 'group: 40', ''].join('\n'));
  });

  it('formats a line with and without a known total', () => {
    expect(progressLine('users', 1200, 5000)).toBe('users: 1200/5000');
    expect(progressLine('groups', 7, undefined, true)).toBe('groups: 7 done');
    expect(progressLine('users', 0, undefined)).toBe('users: reading');
    expect(progressLine('users', 0, undefined, true)).toBe('users: 0 done');
  });
});

describe('chooseProgressMode', () => {
  it('is silent for --json, live on a person\'s terminal, plain lines elsewhere', () => {
    expect(chooseProgressMode({ json: true, stream: { isTTY: true }, env: {} })).toBe('silent');
    expect(chooseProgressMode({ stream: { isTTY: true }, env: {} })).toBe('tty');
    expect(chooseProgressMode({ stream: { isTTY: true }, env: { CI: 'true' } })).toBe('lines');
    expect(chooseProgressMode({ stream: { isTTY: true }, env: { TERM: 'dumb' } })).toBe('lines');
    expect(chooseProgressMode({ stream: {}, env: {} })).toBe('lines');
  });
});

describe('the other implementations', () => {
  it('silent writes nothing; tty takes the same calls and stops once', () => {
    const quiet = capture();
    const silent = createProgress('silent', { stream: quiet.stream });
    silent.update('users', 1, 2);
    silent.finish('users', 2, 2);
    silent.log('x');
    silent.stop();
    expect(quiet.text()).toBe('');

    // cli-progress only draws on a terminal: a stream that says it is one (it writes escapes).
    const screen = capture();
    Object.assign(screen.stream, { isTTY: true, columns: 120 });
    const tty = createProgress('tty', { stream: screen.stream });
    tty.update('users', 1, 10);
    tty.update('groups', 5);
    tty.finish('users', 10, 10);
    tty.stop();
    tty.stop();
    expect(() => tty.update('users', 11, 10)).not.toThrow();
    // eslint-disable-next-line no-control-regex
    const text = screen.text().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toMatch(/users\s+\S+\s+10\/10 done/);
    expect(text).toMatch(/groups\s+5 /);
  });
});
