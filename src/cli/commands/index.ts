// The command table: one file per command, each registering itself on the program.
import type { Command } from 'commander';
import { registerEmulator } from './emulator.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerDemo } from './demo.ts';
import { registerDiff } from './diff.ts';

export const commands: Array<(program: Command) => void> = [registerSnapshot, (program) => registerDiff(program), registerDemo, registerEmulator];
