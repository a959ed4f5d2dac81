#!/usr/bin/env node
// A `solc`-compatible command line over the npm `solc` package (solcjs, WebAssembly).
//
// foundry-compilers and forge only ever call a compiler in two ways:
//   solc --version
//   solc [--base-path P] [--include-path P]... [--allow-paths a,b] --standard-json   (JSON on stdin)
// This adapter serves both, so the same code paths work with a native solc or with this fallback.
// The solcjs package is found through EGP_SOLCJS_DIR (set by the wrapper scripts/bootstrap writes).
'use strict';

const fs = require('fs');
const path = require('path');

function loadSolc() {
  const searchFrom = process.env.EGP_SOLCJS_DIR ? [process.env.EGP_SOLCJS_DIR] : [__dirname];
  return require(require.resolve('solc', { paths: searchFrom }));
}

// Native solc prints e.g. `Version: 0.8.37+commit.f401782d.Linux.g++`; solcjs reports an
// `Emscripten.clang` platform, which version parsers reject. The compiler itself is identical.
function nativeLookingVersion(solc) {
  return solc.version().replace(/\.Emscripten\.clang$/, '.Linux.g++');
}

function parseArgs(argv) {
  const opts = { basePath: null, includePaths: [], allowPaths: [], standardJson: false, version: false, unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      const eq = arg.indexOf('=');
      if (eq !== -1) return arg.slice(eq + 1);
      i += 1;
      return argv[i];
    };
    if (arg === '--version' || arg === '-v') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg.startsWith('--base-path')) opts.basePath = takeValue();
    else if (arg.startsWith('--include-path')) opts.includePaths.push(takeValue());
    else if (arg.startsWith('--allow-paths')) opts.allowPaths.push(...takeValue().split(','));
    else opts.unknown.push(arg);
  }
  return opts;
}

function jsonError(message) {
  return JSON.stringify({
    errors: [{ component: 'general', severity: 'error', type: 'JSONError', message, formattedMessage: `JSONError: ${message}\n` }],
  });
}

function importResolver(opts) {
  const roots = [];
  if (opts.basePath) roots.push(opts.basePath);
  roots.push(...opts.includePaths);
  if (roots.length === 0) roots.push(process.cwd());
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `file not found: ${importPath} (searched ${candidates.join(', ')})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    const solc = loadSolc();
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeLookingVersion(solc)}\n`);
    return 0;
  }
  if (!opts.standardJson) {
    process.stderr.write(
      `solc-adapter: only --version and --standard-json are supported (got: ${process.argv.slice(2).join(' ') || 'no arguments'})\n`,
    );
    return 1;
  }
  const input = fs.readFileSync(0, 'utf8');
  try {
    JSON.parse(input);
  } catch (err) {
    process.stdout.write(jsonError(`input is not valid JSON: ${err.message}`));
    return 0;
  }
  const solc = loadSolc();
  process.stdout.write(solc.compile(input, { import: importResolver(opts) }));
  return 0;
}

process.exitCode = main();
