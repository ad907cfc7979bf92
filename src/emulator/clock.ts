// A clock the emulator reads instead of Date.now, so tests can move time forward
// (delta-token expiry, token lifetime, read-after-write lag) without waiting. Pure.

export class Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  date(): Date {
    return new Date(this.now());
  }
  iso(): string {
    return this.date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
