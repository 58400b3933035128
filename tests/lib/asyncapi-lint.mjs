// Validates openapi/asyncapi.yaml (the WebSocket event catalogue) with @asyncapi/parser, the
// AsyncAPI Initiative's own parser and linter (its $refs into openapi.yaml are resolved from
// disk). Exits non-zero on any error AND on any warning, like the OpenAPI lint.
//   node tests/lib/asyncapi-lint.mjs [path]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile } from '@asyncapi/parser';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(process.argv[2] ?? path.join(here, '../../openapi/asyncapi.yaml'));
if (!fs.existsSync(file)) {
  console.error(`asyncapi-lint: no ${file}`);
  process.exit(1);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
// severity: 0 error, 1 warning, 2 information, 3 hint (Spectral's)
const names = ['error', 'warning', 'info', 'hint'];
const problems = diagnostics.filter((d) => d.severity <= 1);
for (const d of diagnostics) {
  const where = d.path?.length ? ` at ${d.path.join('/')}` : '';
  console.log(`${names[d.severity] ?? d.severity}: ${d.code}: ${d.message}${where}`);
}
if (!document || problems.length) {
  console.error(`asyncapi-lint: ${path.relative(process.cwd(), file)}: ${problems.length} error(s)/warning(s)`);
  process.exit(1);
}
console.log(`asyncapi-lint: ${path.relative(process.cwd(), file)} is valid AsyncAPI ${document.version()}, ${document.messages().length} messages, no warnings`);
