// After the Vite builds: puts the demo shop page beside them, writes a gzipped twin of every
// text file (kefu serves it to browsers that take gzip), and fails the build when the widget
// (its JS with the CSS inlined) passes its gzipped budget.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const BUDGET = 40 * 1024;

mkdirSync(join(dist, "demo"), { recursive: true });
copyFileSync(new URL("../demo/index.html", import.meta.url).pathname, join(dist, "demo/index.html"));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
for (const file of walk(dist)) {
  if (/\.(js|css|html|svg|json)$/.test(file)) {
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
  }
}

const widget = readFileSync(join(dist, "widget.js"));
const gzipped = gzipSync(widget, { level: 9 }).length;
console.log(`widget.js: ${widget.length} bytes, ${gzipped} gzipped (budget ${BUDGET})`);
if (gzipped > BUDGET) {
  console.error(`widget.js is ${gzipped} bytes gzipped, over the ${BUDGET}-byte budget`);
  process.exit(1);
}
