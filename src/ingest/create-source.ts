/** Builds the Source for a configured descriptor. */
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/config-types.js';
import type { IngestSink, SourceBase, SourceOptions } from './source.js';
import { TcpConnectSource } from './sources/tcp-connect-source.js';
import { TcpListenSource } from './sources/tcp-listen-source.js';
import { UdpNativeSource } from './sources/udp-native-source.js';
import { UdpSource } from './sources/udp-source.js';
import { ZmqSource } from './sources/zmq-source.js';
import { udpReceiverFor } from './udp-receiver-choice.js';

export function createSource(config: SourceConfig, index: number, sink: IngestSink, options: SourceOptions, log: Logger): SourceBase {
  switch (config.kind) {
    case 'udp': {
      // Throws CONTRAIL_ERR_UDP_RECEIVER when the native receiver is forced and cannot load.
      const choice = udpReceiverFor(config.receiver ?? 'auto', log);
      if (choice.receiver === 'native') return new UdpNativeSource(config, index, sink, options, log, choice.addon);
      return new UdpSource(config, index, sink, options, log);
    }
    case 'tcp-listen':
      return new TcpListenSource(config, index, sink, options, log);
    case 'tcp-connect':
      return new TcpConnectSource(config, index, sink, options, log);
    case 'zmq':
      return new ZmqSource(config, index, sink, options, log);
    default: {
      const never: never = config.kind;
      throw new Error(`unknown source kind ${String(never)}`);
    }
  }
}
