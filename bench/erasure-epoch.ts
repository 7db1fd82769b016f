// The cost of an erasure epoch's turnover (docs/personal-data-erasure.md): N subjects in the key store, erase one, then three; PGlite in memory, or PostgreSQL when DATABASE_URL is set.
// npx tsx bench/erasure-epoch.ts [subjects]
import { openDb } from '../readmodels/db.js';
import { readModelDb } from '../runtime/clients.js';
import { benchConfig } from './config.js';
import { keyringFromJson, newKeyringJson } from '../runtime/payload-codec.js';
import { PersonalDataKeys } from '../runtime/personal-data-keys.js';
const n = Number(process.argv[2] ?? 10000);
const db = benchConfig.DATABASE_URL ? await readModelDb(benchConfig) : await openDb({ memory: true });
const schema = `bench_${Date.now()}`;
const keys = new PersonalDataKeys(db, keyringFromJson(newKeyringJson('m-1'), 'bench'), schema);
await keys.init();
const t0 = Date.now();
const batch = 200;
for (let i = 0; i < n; i += batch) await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => keys.encrypt(`s-${i + j}`, 'x')));
const t1 = Date.now();
await keys.erase(['s-0']);
const t2 = Date.now();
await keys.erase(['s-1', 's-2', 's-3']);
const t3 = Date.now();
console.log(JSON.stringify({ store: db.kind, subjects: n, makeKeysMs: t1 - t0, turnoverMs: t2 - t1, secondTurnoverMs: t3 - t2, perSubjectUs: Math.round(((t2 - t1) * 1000) / n) }));
await db.close();
