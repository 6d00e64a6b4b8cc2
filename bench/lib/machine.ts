/** What the numbers were measured on, so results from different machines are not compared blindly. */
import { execSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { packageRoot } from './paths.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The commit measured, with "-dirty" when the work tree has changes. */
export function gitCommit(): string {
  try {
    const sha = execSync('git rev-parse --short=12 HEAD', { cwd: packageRoot, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: packageRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}
