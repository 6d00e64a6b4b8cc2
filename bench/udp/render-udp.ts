/** The UDP receiver comparison as printed after the bench table. */
import type { EngineSummary, ReceiverSummary, UdpReceiversResult } from './udp-receivers.js';

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

export function renderUdp(u: UdpReceiversResult | undefined): string {
  if (!u) return '';
  const line = (name: string, r: ReceiverSummary): string =>
    `  ${name.padEnd(7)} no loss up to ${n(r.noLossMaxPerSec).padStart(7)}/s, loss from ${r.lossBeginsAtPerSec === null ? 'not reached' : `${n(r.lossBeginsAtPerSec)}/s`}; ` +
    `CPU per 10,000 datagrams ${r.cpuMsPer10kAtCommon} ms (main thread ${r.mainThreadMsPer10kAtCommon}) at ${n(u.commonRate)}/s, ` +
    `${r.cpuMsPer10kAtMax} ms (main thread ${r.mainThreadMsPer10kAtMax}) at its max; buffer ${n(r.recvBufferBytes)} B`;
  const engine = (name: string, r: EngineSummary): string =>
    `  ${name.padEnd(7)} no loss or lag up to ${n(r.noLossMaxPerSec).padStart(7)}/s, loss or lag from ${r.lossBeginsAtPerSec === null ? 'not reached' : `${n(r.lossBeginsAtPerSec)}/s`}; ` +
    `engine CPU per 10,000 frames ${r.cpuMsPer10kAtCommon} ms at ${n(u.engineCommonRate)}/s`;
  return (
    `\nUDP receivers (receiver + framer + dispatcher, no engine; ${u.seconds} s trials, corpus frames)\n` +
    `${line('native', u.native)}\n${line('dgram', u.dgram)}\n` +
    `  native / dgram: no-loss rate x${u.rateRatio}, CPU at ${n(u.commonRate)}/s x${u.cpuRatioAtCommon}, main thread x${u.mainThreadRatioAtCommon}\n` +
    `Through the engine (one UDP listener, no WebSocket client)\n` +
    `${engine('native', u.engine.native)}\n${engine('dgram', u.engine.dgram)}\n` +
    `  native / dgram: no-loss rate x${u.engine.rateRatio}\n`
  );
}
