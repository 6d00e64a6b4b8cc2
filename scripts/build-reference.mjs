#!/usr/bin/env node
// Builds the engine's own copy of ACARS Hub's enrichment tables (airlines, VDL ground stations,
// ACARS label names) into reference/ at the repository root, because users do not have the
// shared source directory. Output is compact (only the fields the engine reads, placeholders
// such as "" and "----" turned into null) but keeps each source's attribution and license.
//
// Usage: node scripts/build-reference.mjs [source-dir]
//   source-dir defaults to ../shared/reference relative to the repository root; a relative
//   path given on the command line is taken relative to the current directory.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = process.argv[2] ? resolve(process.argv[2]) : resolve(repoRoot, '../shared/reference');
const outDir = join(repoRoot, 'reference');

const ACARS_HUB = {
  project: 'ACARS Hub',
  url: 'https://github.com/sdr-enthusiasts/docker-acarshub',
};
const LICENSE = 'GPL-3.0';

function fail(message) {
  console.error(`build-reference: ${message}`);
  process.exit(1);
}

function readJson(file) {
  const path = join(sourceDir, file);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read ${path}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`${path} is not valid JSON: ${e.message}`);
  }
}

const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Trimmed string, or null for the source's "nothing here" spellings. */
function clean(v) {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s === '' || /^-+$/.test(s) ? null : s;
}

/**
 * One JSON document with the header keys first and one table entry per line: small on disk and
 * readable in a diff when the upstream tables change.
 */
function writeTable(file, header, tableKey, entries) {
  const head = JSON.stringify(header).slice(0, -1);
  const rows = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const body = `${head},${JSON.stringify(tableKey)}:{\n${rows.join(',\n')}\n}}\n`;
  JSON.parse(body); // never write a file the engine cannot read
  writeFileSync(join(outDir, file), body);
  return rows.length;
}

const byKey = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

// airlines.json: {"WN": {"ICAO": "SWA", "NAME": "Southwest Airlines"}, ...}; no attribution inside.
function buildAirlines() {
  const src = readJson('airlines.json');
  if (!isObj(src)) fail('airlines.json: expected an object keyed by IATA designator');
  const entries = [];
  let skipped = 0;
  for (const [iata, v] of Object.entries(src)) {
    const icao = isObj(v) ? clean(v.ICAO) : null;
    const name = isObj(v) ? clean(v.NAME) : null;
    // Keys are kept as published (including odd ones like "4" or "7C*"): the lookup decides
    // which of them can be a flight's designator.
    if (icao === null || name === null || !/^[A-Z]{3}$/.test(icao)) {
      skipped++;
      continue;
    }
    entries.push([iata, [icao, name]]);
  }
  const header = {
    source: { ...ACARS_HUB, file: 'airlines.json' },
    attribution: isObj(src.attribution) ? src.attribution : null,
    license: LICENSE,
    fields: ['icao', 'name'],
  };
  return { written: writeTable('airlines.json', header, 'airlines', entries), skipped };
}

// ground-stations.json: {attribution, count, ground_stations: [{id, airport: {icao, iata, name, city, country_code, ...}}]}
function buildGroundStations() {
  const src = readJson('ground-stations.json');
  if (!isObj(src) || !Array.isArray(src.ground_stations)) fail('ground-stations.json: expected {ground_stations: [...]}');
  const stations = new Map();
  let skipped = 0;
  for (const g of src.ground_stations) {
    const id = isObj(g) && typeof g.id === 'string' ? g.id.trim().toUpperCase() : '';
    const a = isObj(g) ? g.airport : null;
    // The id is the station's 24-bit AVLC address as 6 hex digits, exactly as dumpvdl2 prints it.
    if (!/^[0-9A-F]{6}$/.test(id) || !isObj(a) || stations.has(id)) {
      skipped++;
      continue;
    }
    stations.set(id, [clean(a.icao), clean(a.iata), clean(a.name), clean(a.city), clean(a.country_code)]);
  }
  const header = {
    source: { ...ACARS_HUB, file: 'ground-stations.json' },
    attribution: isObj(src.attribution) ? src.attribution : null,
    license: LICENSE,
    fields: ['icao', 'iata', 'name', 'city', 'country'],
  };
  return { written: writeTable('ground-stations.json', header, 'stations', [...stations].sort(byKey)), skipped };
}

// metadata.json: {attribution, labels: {"H1": {"name": "...", "label": "H1"}, ...}}
function buildLabels() {
  const src = readJson('metadata.json');
  if (!isObj(src) || !isObj(src.labels)) fail('metadata.json: expected {labels: {...}}');
  const entries = [];
  let skipped = 0;
  for (const [label, v] of Object.entries(src.labels)) {
    // The key is what ACARS Hub looks labels up by; the inner "label" field is not always
    // equal to it (e.g. key "25" says "2S"), so the key wins. Entries without a name carry nothing.
    const name = isObj(v) ? clean(v.name) : null;
    if (name === null) {
      skipped++;
      continue;
    }
    entries.push([label, name]);
  }
  const header = {
    source: { ...ACARS_HUB, file: 'metadata.json' },
    attribution: isObj(src.attribution) ? src.attribution : null,
    license: LICENSE,
  };
  return { written: writeTable('labels.json', header, 'labels', entries.sort(byKey)), skipped };
}

mkdirSync(outDir, { recursive: true });
const results = {
  'airlines.json': buildAirlines(),
  'ground-stations.json': buildGroundStations(),
  'labels.json': buildLabels(),
};
for (const [file, r] of Object.entries(results)) {
  console.log(`reference/${file}: ${r.written} entries${r.skipped ? `, ${r.skipped} skipped (no usable data)` : ''}`);
}
console.log(`from ${sourceDir}`);
