import { describe, expect, it } from 'vitest';
import { codeExtension, codeFile, isCodeModule } from './code-files.ts';

describe('code files of the running code', () => {
  it('names a sibling with the extension of the module that asks: .ts in a clone, .js in dist/', () => {
    expect(codeFile('./graph.ts', 'file:///app/src/pulumi/provider/index.ts').href).toBe('file:///app/src/pulumi/provider/graph.ts');
    expect(codeFile('./graph.ts', 'file:///app/node_modules/entra-gitops/dist/pulumi/provider/index.js').href).toBe('file:///app/node_modules/entra-gitops/dist/pulumi/provider/graph.js');
    expect(codeFile('./language-host/main.ts', 'file:///p/dist/pulumi/cli.js').href).toBe('file:///p/dist/pulumi/language-host/main.js');
    expect(codeExtension(import.meta.url)).toBe('.ts');
  });

  it('tells modules from tests and other files', () => {
    const dist = 'file:///p/dist/kinds/index.js';
    expect(['user.js', 'user.test.js', 'user.ts', 'README.md'].filter((n) => isCodeModule(n, dist))).toEqual(['user.js']);
    expect(['user.ts', 'user.test.ts', 'user.js'].filter((n) => isCodeModule(n, import.meta.url))).toEqual(['user.ts']);
  });
});
