// The recovery journal: what a run has done, appended as it goes, so a run killed mid-way can be
// resumed without a duplicate create or a skipped operation. The in-memory journal (tests, and
// runs that need no resume) and the plan's fingerprint live here. Uses node:crypto only.

import { createHash } from 'node:crypto';
import type { Plan } from '../model/types.ts';
import { canonicalJson } from '../snapshot/normalize.ts';
import type { Journal, JournalEntry } from './types.ts';

/** The fingerprint of a plan: a journal belongs to exactly one plan. */
export function planHash(plan: Plan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}

/** A journal kept in memory: durable as long as the process. */
export class MemoryJournal implements Journal {
  private readonly list: JournalEntry[];
  constructor(entries: readonly JournalEntry[] = []) {
    this.list = [...entries];
  }
  entries(): readonly JournalEntry[] {
    return this.list;
  }
  append(entry: JournalEntry): Promise<void> {
    this.list.push(entry);
    return Promise.resolve();
  }
}
