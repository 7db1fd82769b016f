#!/usr/bin/env node
// The `mediation` command (package bin). The code is TypeScript; tsx's loader runs it without a build.
import { register } from 'tsx/esm/api';

register();
const { main, endQuietlyOnClosedPipe } = await import('../cli/main.ts');
endQuietlyOnClosedPipe(process.stdout);
process.exitCode = await main(process.argv.slice(2));
