// The chat widget: one self-contained script (its CSS inlined and attached to a shadow root),
// so that a shop adds a single <script> tag and nothing leaks into or out of its page.
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    lib: {
      entry: "src/widget/main.tsx",
      name: "KefuWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
