// Every module of the pure core imports zod from here, so the configuration below is in force before
// any schema parses anything.
//
// Why jitless: zod 4 compiles object parsers with `new Function` when it may. The core also runs inside
// the Temporal workflow sandbox (a node:vm context) and in auditors' replays; interpreting instead of
// generating code keeps parsing identical everywhere and survives any sandbox or CSP that forbids eval.
// The cost is a slower parse of large objects, which the core never sees.
import { z } from 'zod';

z.config({ jitless: true });

export { z };
