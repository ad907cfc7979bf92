#!/usr/bin/env node
// Entry point of the `entra-gitops` command. Node 22.18+ and 24 run the TypeScript sources
// directly (type stripping); a published package runs the compiled copy in dist/.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/main.ts', import.meta.url).href);
