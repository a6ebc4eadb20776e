// Builds dist/: the CLI bundled by esbuild into one entry (dist/cli.js) plus chunks that commands load
// only when they need them, so `serve --transport stdio` does not parse the HTTP server, `run` does not
// parse the MCP SDK, and so on. Dependencies are bundled too: resolving hundreds of small files in
// node_modules is most of a cold start.
// Usage: node --import tsx scripts/build.ts (bench/run.ts also bundles its helper server with bundle()).
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const src = `${root}src`;

/**
 * Sources that find files beside themselves (`new URL("../../wordlists", import.meta.url)`, package.json)
 * were written for dist/ mirroring src/. In a bundle, a src/ module's import.meta.url becomes the URL its
 * unbundled file would have had in dist/ (relative to the bundle, so the package can move); any other
 * module's (test helpers in a benchmark bundle) becomes its source file's URL.
 */
function moduleUrls(outdir: string): Plugin {
  return {
    name: "module-urls",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes("/node_modules/")) return undefined;
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const inSrc = !relative(src, args.path).startsWith("..");
        const url = inSrc
          ? `new URL(${JSON.stringify(relative(outdir, join(root, "dist", relative(src, args.path))).replace(/\.ts$/, ".js"))}, import.meta.url).href`
          : JSON.stringify(pathToFileURL(args.path).href);
        return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
      });
    },
  };
}

/**
 * Two dependencies are trimmed at bundle time, without changing what this server uses of them:
 * - the SDK's ajv provider (about 270 kB of ajv, set up again for every MCP session) becomes a copy that
 *   loads ajv on first use (scripts/build-shims/ajv-provider.ts);
 * - zod's `z.locales` namespace (about 370 kB of error messages in 40 languages) keeps only English, the
 *   locale zod itself configures; nothing here selects another.
 */
const trim: Plugin = {
  name: "trim-dependencies",
  setup(b) {
    b.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, (args) =>
      args.importer.includes("@modelcontextprotocol/sdk")
        ? { path: `${root}scripts/build-shims/ajv-provider.ts` }
        : undefined,
    );
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /zod\/v4\/(classic|mini|core)\//.test(args.importer)
        ? { path: "zod-locales", namespace: "trimmed", pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "trimmed" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: args.pluginData as string,
      loader: "js",
    }));
  },
};

/**
 * CommonJS dependencies that only some calls need are neither evaluated nor even parsed at start: each is
 * bundled on its own into vendor/NAME.cjs, and its import becomes a small module of forwarders that
 * require() that file on first use. What each forwarder offers is exactly what its importer uses.
 */
const VENDOR: Record<string, string> = {
  yaml: 'module.exports = require("yaml");',
  saxes: 'module.exports = require("saxes");',
  "opentelemetry-api": 'module.exports = require("@opentelemetry/api");',
  // One file, so ajv-formats extends the same ajv it was loaded with (scripts/build-shims/ajv-provider.ts).
  ajv: 'module.exports = { Ajv: require("ajv").default, addFormats: require("ajv-formats").default };',
};

const LAZY: {
  readonly module: string;
  readonly importer: RegExp;
  /** What load() requires: a vendor file, or the module itself (then bundled, run on first require). */
  readonly load: string;
  readonly contents: string;
}[] = [
  {
    // A YAML config file is optional.
    module: "yaml",
    importer: /\/src\/config\/load\.ts$/,
    load: "./vendor/yaml.cjs",
    contents: "export function parse(...args) { return load().parse(...args); }",
  },
  {
    // Only nmap calls parse XML.
    module: "saxes",
    importer: /\/src\/tools\/parsers\/nmap-xml\.ts$/,
    load: "./vendor/saxes.cjs",
    contents: "export function SaxesParser(...args) { return new (load().SaxesParser)(...args); }",
  },
  {
    // prom-client reads trace context only for exemplars, which this server does not use.
    module: "@opentelemetry/api",
    importer: /\/prom-client\/lib\/metrics\/processCpuTotal\.js$/,
    load: "./vendor/opentelemetry-api.cjs",
    contents:
      "module.exports = { get trace() { return load().trace; }, get context() { return load().context; } };",
  },
  {
    // prom-client's Pushgateway (unused here) loads http, https and zlib.
    module: "./lib/pushgateway",
    importer: /\/prom-client\/index\.js$/,
    load: "./lib/pushgateway",
    contents: "module.exports = function Pushgateway(...args) { return new (load())(...args); };",
  },
];

const lazy: Plugin = {
  name: "lazy-dependencies",
  setup(b) {
    b.onResolve({ filter: /^\.\/vendor\/[\w-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^(yaml|saxes|@opentelemetry\/api|\.\/lib\/pushgateway)$/ }, (args) => {
      const entry = LAZY.find((l) => l.module === args.path && l.importer.test(args.importer));
      return entry ? { path: entry.module, namespace: "lazy", pluginData: args.resolveDir } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => {
      const entry = LAZY.find((l) => l.module === args.path);
      if (!entry) return undefined;
      return {
        contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(entry.load)}));\n${entry.contents}\n`,
        resolveDir: args.pluginData as string,
        loader: "js",
      };
    });
  },
};

/**
 * Every tool's description (JSON Schemas included) as tools/list gives it, made here by the server's own
 * describe functions: building the schemas costs about 15 ms at each start, and the bundle's code cannot
 * change after it is built. src/server.ts uses this when it is defined and computes them otherwise.
 */
async function toolDescriptions(): Promise<string> {
  const { describeTool } = await import("../src/server.js");
  const { describeJobTools } = await import("../src/jobs/tools.js");
  const { TOOLS } = await import("../src/tools/index.js");
  return JSON.stringify([...TOOLS.map(describeTool), ...describeJobTools()]);
}

/** Bundles entry points (name -> file) into outdir, split into lazily loaded chunks. */
export async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    define: { __TOOL_DESCRIPTIONS__: JSON.stringify(await toolDescriptions()) },
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    // Less to parse at start; identifiers stay, so stack traces in logs remain readable.
    minifyWhitespace: true,
    minifySyntax: true,
    chunkNames: "[name]-[hash]",
    // Bundled CommonJS dependencies (pino, prom-client) call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
    plugins: [moduleUrls(outdir), trim, lazy],
    logLevel: "warning",
    legalComments: "linked",
  });
  await Promise.all(
    Object.entries(VENDOR).map(([name, contents]) =>
      build({
        stdin: { contents, resolveDir: root, loader: "js", sourcefile: `vendor-${name}.js` },
        outfile: join(outdir, "vendor", `${name}.cjs`),
        bundle: true,
        format: "cjs",
        platform: "node",
        target: "node20",
        minifyWhitespace: true,
        minifySyntax: true,
        logLevel: "warning",
        legalComments: "linked",
      }),
    ),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await bundle({ cli: `${src}/cli.ts` }, `${root}dist`);
  chmodSync(`${root}dist/cli.js`, 0o755);
}
