#!/usr/bin/env node
// Copies the dashboard's static files (src/serve/dashboard/) beside the compiled
// dist/src/serve/dashboard.js, which serves them from the folder next to itself. Run by
// `npm run build` after tsc; the folder is replaced whole, so a removed file does not linger.
import { cpSync, rmSync } from 'node:fs';

const from = new URL('../src/serve/dashboard/', import.meta.url);
const to = new URL('../dist/src/serve/dashboard/', import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
