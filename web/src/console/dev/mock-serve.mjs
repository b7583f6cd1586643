// The console on its mock server, for a look without `kefu serve` (screenshots, layout work):
//   cd web && node src/console/dev/mock-serve.mjs        # http://127.0.0.1:5180/console/
//   SIGNED_OUT=1 PORT=5181 node src/console/dev/mock-serve.mjs   # starts at sign-in
// Keys: admin-key-0123456789, agent-key-0123456789 (query-key-0123456789 is refused).
// The data is test/fixtures.ts; changes (replies, answers, deletions) last while it runs.
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createServer } from "vite";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const port = Number(process.env.PORT ?? 5180);
let mock = null;

const server = await createServer({
  configFile: here("../../../vite.console.config.ts"),
  server: { port, strictPort: true, host: "127.0.0.1", hmr: false },
  plugins: [
    {
      name: "kefu-mock-api",
      configureServer(vite) {
        vite.middlewares.use(async (req, res, next) => {
          if (!req.url.startsWith("/v1/") && !req.url.startsWith("/console/api/")) return next();
          if (!mock) {
            const { mockServer } = await vite.ssrLoadModule(here("../test/mock-server.ts"));
            const { ADMIN_SESSION } = await vite.ssrLoadModule(here("../test/fixtures.ts"));
            mock = mockServer({ session: process.env.SIGNED_OUT === "1" ? null : ADMIN_SESSION });
          }
          const chunks = [];
          for await (const chunk of req) chunks.push(chunk);
          const aborted = new AbortController();
          res.on("close", () => aborted.abort());
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          const body = chunks.length ? Buffer.concat(chunks).toString() : undefined;
          const response = await mock.fetch(req.url, { method: req.method, headers, body, signal: aborted.signal });
          res.statusCode = response.status;
          response.headers.forEach((value, name) => res.setHeader(name, value));
          res.flushHeaders(); // an event stream's headers go out before its first event
          if (response.body) Readable.fromWeb(response.body).on("error", () => res.end()).pipe(res);
          else res.end();
        });
      },
    },
  ],
});
await server.listen();
console.log(`kefu console on its mock server: http://127.0.0.1:${port}/console/`);
