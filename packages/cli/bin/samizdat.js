#!/usr/bin/env node
// The `samizdat` executable: registers tsx (the package ships TypeScript, with no build step)
// and runs the CLI's entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
