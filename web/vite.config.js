// Bundles web/src into web/dist: hashed files under assets/ (which millet serves with a
// long cache life) and index.html. No CDN: everything the app uses is in the bundle.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: { outDir: "dist", assetsDir: "assets", emptyOutDir: true, sourcemap: false, target: "es2022" },
  logLevel: "warn",
});
