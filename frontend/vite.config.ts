// Vite build + dev server for the admin SPA; also the Vitest configuration.
// In dev, /api and /ws go to a local rt-edge so cookies stay same-origin.
// The build writes precompressed .br and .gz siblings of its text files, which rt-edge sends by
// Accept-Encoding, and source maps it never links nor serves (docs/decisions/015-static-assets.md).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const COMPRESSIBLE = /\.(?:html|js|mjs|css|json|webmanifest|svg|txt|xml|wasm|ttf)$/i;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

/** After the bundle is written: file.br (brotli, quality 11) and file.gz (gzip -9) next to each
 * text file of the output, each kept only when smaller than the file (node's zlib). */
function precompress(): Plugin {
  return {
    name: 'rt-precompress',
    apply: 'build',
    writeBundle: {
      order: 'post',
      sequential: true,
      handler(options) {
        if (!options.dir) return;
        for (const file of [...filesUnder(options.dir)].filter((f) => COMPRESSIBLE.test(f))) {
          const data = readFileSync(file);
          const br = brotliCompressSync(data, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          });
          const gz = gzipSync(data, { level: zlib.Z_BEST_COMPRESSION });
          if (br.length < data.length) writeFileSync(`${file}.br`, br);
          if (gz.length < data.length) writeFileSync(`${file}.gz`, gz);
        }
      },
    },
  };
}

/** The files of the API docs page (rt-edge answers GET /api/docs with its HTML,
 * edge/src/edge_apidocs.c): Swagger UI from swagger-ui-dist and the page's own script and style
 * (api-docs/), copied to dist/api-docs/ after the bundle is written, before precompress. Served
 * by rt-edge like the build's other files; not part of the SPA's bundles, so the initial JS
 * (bench/bundle) does not grow. The bundles' sourceMappingURL comments go: no map is copied,
 * and rt-edge serves none (docs/decisions/015-static-assets.md). */
function apiDocsAssets(): Plugin {
  const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const own = fileURLToPath(new URL('./api-docs', import.meta.url));
  return {
    name: 'rt-api-docs',
    apply: 'build',
    writeBundle(options) {
      if (!options.dir) return;
      const out = join(options.dir, 'api-docs');
      mkdirSync(out, { recursive: true });
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
        const text = readFileSync(join(swaggerUi, file), 'utf8');
        writeFileSync(
          join(out, file),
          text.replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n'),
        );
      }
      for (const file of ['api-docs.js', 'api-docs.css'])
        copyFileSync(join(own, file), join(out, file));
    },
  };
}

const edge = process.env.RT_EDGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), tailwindcss(), apiDocsAssets(), precompress()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    // changeOrigin false: rt-edge sees the browser's Host (localhost or 127.0.0.1 with Vite's
    // port, both allowed without RT_HTTP_HOSTS) and compares it with the Origin header of
    // WebSocket upgrades, which is Vite's origin too. make dev (scripts/dev.sh).
    proxy: {
      '/api': { target: edge, changeOrigin: false },
      '/ws': { target: edge, ws: true, changeOrigin: false },
      '/healthz': { target: edge, changeOrigin: false },
      '/readyz': { target: edge, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    // Maps stay in dist for decoding a stack trace, unlinked from the bundles; rt-edge answers
    // 404 for *.map.
    sourcemap: 'hidden',
    rolldownOptions: {
      output: {
        // What the entry needs goes in one chunk with it, instead of slivers shared with
        // lazy screens (one request, one gzip window); each lazy screen stays its own chunk.
        codeSplitting: { groups: [{ name: 'shell', tags: ['$initial'] }] },
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Above the 5 s asyncUtilTimeout of src/test/setup.ts, so a wait that times out reports what
    // it waited for instead of a bare test timeout.
    testTimeout: 20000,
  },
});
