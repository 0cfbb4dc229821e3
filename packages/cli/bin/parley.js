#!/usr/bin/env node
import fs from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
// Only a checkout can lack it: a packed @parley/cli always ships its dist.
if (!fs.existsSync(main)) {
  process.stderr.write(
    'parley: @parley/cli is not built: run `npm run build` at the repository root first ' +
      '(or `npm run parley -- <command>` to run it from source)\n',
  );
  process.exit(1);
}
await import(main.href);
