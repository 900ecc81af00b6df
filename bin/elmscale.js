#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (npm install runs the build through `prepare`).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
