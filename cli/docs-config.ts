// npm run docs:config: writes docs/configuration.md from the configuration schema.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationMarkdown } from '../runtime/config-doc.js';

const file = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
fs.writeFileSync(file, configurationMarkdown());
process.stdout.write(`wrote ${file}\n`);
