/** The log lines every UDP listener writes once bound, whichever receiver reads it. */
import type { Logger } from 'pino';
import type { SourceConfig, UdpReceiverKind } from '../config/config-types.js';

export function reportUdpBound(log: Logger, config: SourceConfig, receiver: UdpReceiverKind, port: number, requested: number, granted: number): void {
  log.info({ source: config.descriptor, type: config.type, port, recvBufferBytes: granted, receiver }, 'UDP listener bound');
  // The kernel caps the buffer at net.core.rmem_max (and doubles it); report what we got.
  if (granted < requested) {
    log.warn({ source: config.descriptor, requested, granted }, 'UDP receive buffer smaller than requested; raise net.core.rmem_max to absorb bursts');
  }
}
