// Resource and variable names of the generated program: readable, stable, unique and valid
// whatever the display names are.
import { describe, expect, it } from 'vitest';
import { childName, NameAllocator, objectName, shortId, slug, variableName } from './names.ts';

describe('slug', () => {
  it.each([
    ['Fatima Novak', 'fatima-novak'],
    ['  Zoë  Müller-Łukasz ', 'zoe-muller-lukasz'],
    ['Tier 0 "Admins"', 'tier-0-admins'],
    ['営業部', ''],
    ['Søren Æbelø Straße', 'soren-aebelo-strasse'],
    ['"); process.exit(1); //', 'process-exit-1'],
    ['a\u2028b\u202ec', 'a-b-c'],
  ])('%j → %j', (text, expected) => {
    expect(slug(text)).toBe(expected);
  });

  it('cuts long names at a word boundary within 40 characters', () => {
    const s = slug('Require multifactor authentication for all users outside trusted locations');
    expect(s.length).toBeLessThanOrEqual(40);
    expect(s).toBe('require-multifactor-authentication-for');
  });
});

describe('shortId', () => {
  it('takes the first eight letters and digits, lowercase', () => {
    expect(shortId('001EFC95-5cc7-4f73-82c5-ee4a3fbe05fe')).toBe('001efc95');
    expect(shortId('R3JhbnQ-tb25l')).toBe('r3jhbnqt');
    expect(shortId('---')).toBe('x');
  });
});

describe('names', () => {
  it('are the display name and short id, and the whole id when two would collide', () => {
    const a = new NameAllocator();
    expect(objectName(a, 'Sam Lee', 'user', '5a5a5a5a-0000-4000-8000-00000000000a')).toBe('sam-lee-5a5a5a5a');
    expect(objectName(a, 'Sam Lee', 'user', '5a5a5a5a-0000-4000-8000-00000000000b')).toBe('sam-lee-5a5a5a5a-0000-4000-8000-00000000000b');
    expect(objectName(a, '営業部', 'group', '1b1b1b1b-0000-4000-8000-000000000012')).toBe('group-1b1b1b1b');
    expect(childName(a, 'sam-lee-5a5a5a5a', 'member', '0b0b0b0b-0000-4000-8000-000000000002')).toBe('sam-lee-5a5a5a5a-member-0b0b0b0b');
    expect(childName(a, 'graph-3b3b3b3b', 'assignment', '0a0a0a0a-0000-4000-8000-000000000001/7a7a7a7a-0000-4000-8000-000000000071')).toBe('graph-3b3b3b3b-assignment-0a0a0a0a-7a7a7a7a');
  });

  it('never hands out the same name twice, even for identical objects', () => {
    const a = new NameAllocator();
    const names = Array.from({ length: 5 }, () => objectName(a, 'Same', 'user', 'same-id'));
    expect(new Set(names).size).toBe(5);
  });
});

describe('variableName', () => {
  it('is the class prefix, the words in camel case and the short id', () => {
    const used = new Set<string>();
    expect(variableName(used, 'user', 'fatima-novak-001efc95')).toBe('userFatimaNovak_001efc95');
    expect(variableName(used, 'group', 'group-1b1b1b1b')).toBe('groupGroup_1b1b1b1b');
  });

  it('stays a valid, unique identifier when resource names differ only in punctuation', () => {
    const used = new Set<string>();
    const a = variableName(used, 'user', 'a-1-x');
    const b = variableName(used, 'user', 'a1-x');
    expect(a).not.toBe(b);
    for (const v of [a, b]) expect(v).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
  });
});
