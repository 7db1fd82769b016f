// The entry of a verify thread (audit/verify-threads.ts): tsx's loader registered in this thread, then the
// thread's TypeScript. Plain JavaScript, so that it loads however the parent process runs TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./verify-thread-main.ts');
