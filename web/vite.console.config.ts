// The console: a single-page app served by `kefu serve` under /console/.
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

export default defineConfig({
  root: "src/console",
  base: "/console/",
  plugins: [preact()],
  build: {
    outDir: "../../dist/console",
    emptyOutDir: true,
    target: "es2020",
    assetsDir: "assets",
  },
});
