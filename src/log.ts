/** pino: JSON lines on stdout, cheap when a level is off. One logger per process, children per component. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/config-types.js';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
