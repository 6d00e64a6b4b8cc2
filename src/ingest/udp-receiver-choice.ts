/**
 * Which code reads the UDP sockets: decided once per process from CONTRAIL_UDP_RECEIVER and
 * whether the native addon loads, and logged once with the reason. Forcing `native` where it
 * cannot load stops start-up; `auto` falls back to dgram and says why.
 */
import type { Logger } from 'pino';
import type { UdpReceiverSetting } from '../config/config-types.js';
import { AUTO_UDP_RECEIVER } from '../config/defaults.js';
import { ContrailError } from '../errors.js';
import { loadNativeUdp, type NativeUdpAddon, type NativeUdpLoad } from './native-udp.js';

export type UdpReceiverChoice =
  | { receiver: 'native'; addon: NativeUdpAddon; reason: string }
  /** `fallback`: auto wanted the native receiver and could not load it. */
  | { receiver: 'dgram'; reason: string; fallback: boolean };

/**
 * The choice for a setting; throws CONTRAIL_ERR_UDP_RECEIVER when `native` is forced and cannot
 * load. `load` is asked only when the native receiver is wanted.
 */
export function decideUdpReceiver(setting: UdpReceiverSetting, load: () => NativeUdpLoad = loadNativeUdp): UdpReceiverChoice {
  if (setting === 'dgram') return { receiver: 'dgram', reason: 'CONTRAIL_UDP_RECEIVER=dgram', fallback: false };
  if (setting === 'auto' && AUTO_UDP_RECEIVER === 'dgram') {
    return { receiver: 'dgram', reason: 'auto: dgram is the default (see native/README.md); CONTRAIL_UDP_RECEIVER=native uses the native receiver', fallback: false };
  }
  const loaded = load();
  if (setting === 'native') {
    if (loaded.ok) return { receiver: 'native', addon: loaded.addon, reason: 'CONTRAIL_UDP_RECEIVER=native' };
    throw new ContrailError(
      'CONTRAIL_ERR_UDP_RECEIVER',
      `CONTRAIL_UDP_RECEIVER=native but the native UDP receiver cannot be used: ${loaded.reason}; or set CONTRAIL_UDP_RECEIVER=dgram`,
    );
  }
  if (!loaded.ok) return { receiver: 'dgram', reason: `auto: falling back to dgram, the native receiver is unavailable: ${loaded.reason}`, fallback: true };
  return { receiver: 'native', addon: loaded.addon, reason: 'auto: the native receiver loaded' };
}

const decided = new Map<UdpReceiverSetting, UdpReceiverChoice>();

/** decideUdpReceiver, remembered, and logged the first time a UDP source asks. */
export function udpReceiverFor(setting: UdpReceiverSetting, log: Logger): UdpReceiverChoice {
  let choice = decided.get(setting);
  if (choice === undefined) {
    choice = decideUdpReceiver(setting);
    decided.set(setting, choice);
    const msg = choice.receiver === 'native' ? 'UDP receiver: native (recvmmsg batches)' : 'UDP receiver: dgram';
    if (choice.receiver === 'dgram' && choice.fallback) log.warn({ udpReceiver: choice.receiver, reason: choice.reason }, msg);
    else log.info({ udpReceiver: choice.receiver, reason: choice.reason }, msg);
  }
  return choice;
}
