import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extractImports, importDialectOf } from '../../../src/core/analysis/import-extraction.js';

describe('extractImports', () => {
  it('finds every JavaScript/TypeScript import form', () => {
    const text = [
      "import a from './a';",
      'import { b, c } from "../b.js";',
      "import './side-effect';",
      "export * from './re-export';",
      "export { d } from '@scope/pkg/sub';",
      "const e = require('./e');",
      "const f = await import('./f.js');",
      "import type { G } from './g';",
      "obj.require('./not-a-require');",
      'import{h}from"./minified"',
    ].join('\n');
    expect(extractImports('script', text)).toEqual([
      './a',
      '../b.js',
      './side-effect',
      './re-export',
      '@scope/pkg/sub',
      './e',
      './f.js',
      './g',
      './minified',
    ]);
  });

  it('finds Python imports, relative ones included', () => {
    const text = ['import os, pkg.sub as s', 'from pkg.mod import thing', 'from . import sibling, other as o', 'from ..parent.mod import y', '    from .inner import z', '# import commented'].join(
      '\n',
    );
    expect(extractImports('python', text)).toEqual(['pkg.mod', ['.sibling', '.other', '.'], '..parent.mod', '.inner', 'os', 'pkg.sub']);
  });

  it('finds Go imports in blocks and single lines', () => {
    const text = 'package main\n\nimport "fmt"\nimport (\n\t"os"\n\tstore "example.com/app/internal/store"\n)\n';
    expect(extractImports('go', text)).toEqual(['os', 'example.com/app/internal/store', 'fmt']);
  });

  it('picks the dialect by extension', () => {
    expect(['a.ts', 'b.mjs', 'c.vue', 'd.py', 'e.go', 'f.rs', 'dir.ts/readme'].map(importDialectOf)).toEqual(['script', 'script', 'script', 'python', 'go', undefined, undefined]);
  });

  it('does not choke on a minified megabyte or on random bytes', () => {
    const minified = `${'var a=require("./x"),b=function(){return import("./y")};'.repeat(10_000)}${'from '.repeat(100_000)}${'import('.repeat(50_000)}`;
    const garbage = randomBytes(1024 * 1024).toString('latin1');
    const started = performance.now();
    expect(extractImports('script', minified)).toHaveLength(20_000);
    for (const dialect of ['script', 'python', 'go'] as const) {
      extractImports(dialect, garbage);
      extractImports(dialect, `${'\n'.repeat(500_000)}${' '.repeat(500_000)}`);
      extractImports(dialect, `import (${' "x"'.repeat(100_000)}`);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
