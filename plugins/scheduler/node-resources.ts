import { type NodeInfo, portKey } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/**
 * NodeResourcesFit filter: requests against allocatable minus what bound and assumed pods
 * request; one reason per resource short ("Insufficient cpu", "Too many pods").
 */
export function resourcesFitFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  let reasons: string[] | undefined;
  if (node.pods.size + 1 > node.allowedPods) reasons = ['Too many pods'];
  const req = pod.requests;
  const a = node.allocatable;
  const used = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - used.milliCPU) (reasons ??= []).push('Insufficient cpu');
  if (req.memory > 0 && req.memory > a.memory - used.memory) (reasons ??= []).push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) (reasons ??= []).push('Insufficient ephemeral-storage');
  if (req.scalar) {
    for (const name in req.scalar) {
      const v = req.scalar[name]!;
      if (v > 0 && v > (a.scalar?.[name] ?? 0) - (used.scalar?.[name] ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
    }
  }
  return reasons;
}

/** NodePorts filter: a wanted host port taken on the node (0.0.0.0 conflicts with every IP). */
export function nodePortsFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  if (pod.hostPorts.length === 0 || node.usedPorts.size === 0) return undefined;
  for (const hp of pod.hostPorts) {
    if (node.usedPorts.has(portKey(hp.protocol, hp.hostIP, hp.hostPort))) return conflict;
    if (node.usedPorts.has(portKey(hp.protocol, '0.0.0.0', hp.hostPort))) return conflict;
    if (hp.hostIP === '0.0.0.0') {
      const suffix = `/${hp.hostPort}`;
      for (const k of node.usedPorts.keys()) if (k.startsWith(`${hp.protocol}/`) && k.endsWith(suffix)) return conflict;
    }
  }
  return undefined;
}
const conflict = ["node(s) didn't have free ports for the requested pod ports"];

/** Fractions of cpu and memory requested with the pod (non-zero defaults), capped at 1. */
function fractions(pod: PodInfo, node: NodeInfo): [number, number] {
  const a = node.allocatable;
  const cpu = a.milliCPU > 0 ? (node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU) / a.milliCPU : 1;
  const mem = a.memory > 0 ? (node.nonZeroRequested.memory + pod.nonZero.memory) / a.memory : 1;
  return [Math.min(cpu, 1), Math.min(mem, 1)];
}

/** NodeResourcesFit's LeastAllocated score, 0–100: the average free share of cpu and memory. */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const [cpu, mem] = fractions(pod, node);
  return Math.floor(((1 - cpu) * 100 + (1 - mem) * 100) / 2);
}

/** NodeResourcesBalancedAllocation score, 0–100: 100 when cpu and memory are used in equal shares. */
export function balancedAllocationScore(pod: PodInfo, node: NodeInfo): number {
  const [cpu, mem] = fractions(pod, node);
  const std = Math.abs(cpu - mem) / 2;
  return Math.floor((1 - std) * 100);
}
