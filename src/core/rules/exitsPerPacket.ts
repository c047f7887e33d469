// Exits per packet for throughput workloads: the benchmark's bits/s at a 1500-byte MTU is the packet rate.
import type { ModelFacts } from '../model/facts';
import { formatNumber } from '../../presentation/format';

export function perPacketText(f: ModelFacts, count: number): string {
  const perSecond = f.exits?.perSecond ?? null;
  const bits = f.benchmark?.bitsPerSec ?? null;
  const total = f.exits?.total ?? 0;
  if (!perSecond || !bits || total === 0) return '';
  const packetsPerSecond = bits / 12_000;
  return ` — ${formatNumber((perSecond * (count / total)) / packetsPerSecond, 2)} per packet at 1500-byte MTU`;
}
