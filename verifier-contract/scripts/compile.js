#!/usr/bin/env node
// Compiles Solidity sources with solc-js (standard JSON, optimizer on) into one artifact per
// contract: <out>/<ContractName>.json = { contractName, sourceName, abi, bytecode,
// deployedBytecode, solcVersion, settings, inputHash }.
//
// usage: node scripts/compile.js --out <dir> <file.sol> [<file.sol> ...]
// (files given together are compiled together and may import each other as "./Name.sol")
//
// Artifacts are cached: a source whose hash (solc version, settings, source text) matches the
// `inputHash` of its existing artifacts is not recompiled, so calling this again is quick.
// Artifacts are written to a temporary file and renamed, so concurrent callers never read a
// half-written file. Exit status 1 with the compiler's messages on any error (warnings are
// printed to stderr but do not fail).
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// Optimizer runs: measured with the gas report (verifier-contract/gas.md). The verifier is
// almost all inline assembly, so runs only changes the ABI dispatcher and Rollup's loops;
// a high value trades deployment size for cheaper calls, which is what a rollup pays for.
//
// The Yul optimizer (which in this legacy pipeline only touches inline assembly and the ABI
// helpers) is off: on the generated Poseidon permutation (contracts/PoseidonGoldilocks.sol,
// ~5 000 straight-line Yul statements) it runs out of memory in solc-js after minutes. The
// hand-written assembly (Verifier, Rollup's slot walk, Poseidon) is already what it should be;
// gas.md shows the figures with this setting.
const SETTINGS = {
  optimizer: { enabled: true, runs: 1000000, details: { yul: false } },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function fail(msg) {
  process.stderr.write(`compile.js: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  let out = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      out = argv[++i];
    } else {
      files.push(argv[i]);
    }
  }
  if (!out || files.length === 0) fail('usage: compile.js --out <dir> <file.sol>...');
  return { out, files };
}

function solcVersion() {
  // The pinned version, read without loading the (large) compiler itself.
  const pkg = require('solc/package.json');
  return pkg.version;
}

function inputHash(sourceName, content) {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ solc: solcVersion(), settings: SETTINGS, sourceName, content }))
    .digest('hex');
}

function contractNames(content) {
  // Contract names declared at top level (for the cache check only; solc output is authoritative).
  const names = [];
  const re = /^\s*(?:abstract\s+)?contract\s+([A-Za-z_][A-Za-z0-9_]*)/gm;
  let m;
  while ((m = re.exec(content)) !== null) names.push(m[1]);
  return names;
}

function isCached(out, sourceName, content, hash) {
  const names = contractNames(content);
  if (names.length === 0) return false;
  return names.every((name) => {
    try {
      const a = JSON.parse(fs.readFileSync(path.join(out, `${name}.json`), 'utf8'));
      return a.inputHash === hash && a.sourceName === sourceName;
    } catch (_) {
      return false;
    }
  });
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function main() {
  const { out, files } = parseArgs(process.argv.slice(2));
  fs.mkdirSync(out, { recursive: true });
  // All files are compiled together (one may import another by its base name), under one
  // input hash over all of them: a change to any file recompiles every artifact.
  const sources = files.map((file) => ({
    sourceName: path.basename(file),
    content: fs.readFileSync(file, 'utf8'),
  }));
  const hash = inputHash(
    sources.map((s) => s.sourceName).join('|'),
    sources.map((s) => s.content).join('\0'),
  );
  if (sources.every((s) => isCached(out, s.sourceName, s.content, hash))) {
    for (const s of sources) {
      for (const name of contractNames(s.content)) process.stdout.write(`${path.join(out, name)}.json\n`);
    }
    return;
  }
  const todo = {};
  const hashes = {};
  for (const s of sources) {
    todo[s.sourceName] = { content: s.content };
    hashes[s.sourceName] = hash;
  }

  const solc = require('solc');
  if (solc.version().split('+')[0] !== solcVersion()) {
    fail(`solc-js reports ${solc.version()}, package.json pins ${solcVersion()}`);
  }
  const input = { language: 'Solidity', sources: todo, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  let failed = false;
  for (const e of output.errors || []) {
    process.stderr.write(`${e.formattedMessage || e.message}\n`);
    if (e.severity === 'error') failed = true;
  }
  if (failed) fail('compilation failed');
  for (const [sourceName, contracts] of Object.entries(output.contracts || {})) {
    for (const [contractName, c] of Object.entries(contracts)) {
      const artifact = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        solcVersion: solc.version(),
        settings: SETTINGS,
        inputHash: hashes[sourceName],
      };
      const file = path.join(out, `${contractName}.json`);
      writeAtomic(file, `${JSON.stringify(artifact, null, 2)}\n`);
      process.stdout.write(`${file}\n`);
    }
  }
}

main();
