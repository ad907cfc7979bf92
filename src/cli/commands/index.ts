// The command table: one file per command, each registering itself on the program.
import type { Command } from 'commander';
import { registerEmulator } from './emulator.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerDemo } from './demo.ts';
import { registerDiff } from './diff.ts';
import { registerExportPulumi } from './export-pulumi.ts';
import { registerHistory } from './history.ts';
import { registerPlan } from './plan.ts';
import { registerRecover } from './recover.ts';

export const commands: Array<(program: Command) => void> = [registerSnapshot, (program) => registerDiff(program), (program) => registerPlan(program), (program) => registerRecover(program), (program) => registerHistory(program), (program) => registerExportPulumi(program), registerDemo, registerEmulator];
