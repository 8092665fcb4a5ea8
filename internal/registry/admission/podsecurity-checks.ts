import type { Loose } from './lookup.js';

// Pod Security Standards (upstream's pod-security-admission "latest" checks), pure: a pod spec and
// metadata in, the violated checks out, each as upstream words it: `name (detail)`.

export type Level = 'privileged' | 'baseline' | 'restricted';

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const quoteList = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
/** `container "a"` or `containers "a", "b"`. */
const containers = (names: string[]) => `${names.length === 1 ? 'container' : 'containers'} ${quoteList(names)}`;

function allContainers(spec: Loose): Loose[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function baseline(meta: Loose, spec: Loose): string[] {
  const out: string[] = [];
  const cs = allContainers(spec);
  const psc: Loose = spec.securityContext ?? {};
  // In upstream's order: check ids sorted (appArmorProfile, capabilities_baseline, hostNamespaces, ...).
  const annotations: Loose = meta.annotations ?? {};
  const armor = Object.entries(annotations).filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !String(v).startsWith('localhost/'));
  if (armor.length) out.push(`forbidden AppArmor profile${armor.length === 1 ? '' : 's'} (${armor.map(([k, v]) => `${JSON.stringify(`${k}=${v}`)}`).join(', ')})`);
  const capsBad = cs.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x: string) => !BASELINE_CAPS.has(x)));
  if (capsBad.length) {
    const added = [...new Set(capsBad.flatMap((c) => (c.securityContext.capabilities.add as string[]).filter((x) => !BASELINE_CAPS.has(x))))];
    out.push(`non-default capabilities (${containers(capsBad.map((c) => c.name))} must not include ${quoteList(added)} in securityContext.capabilities.add)`);
  }
  const hostNs = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true);
  if (hostNs.length) out.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(', ')})`);
  const hostPath = (spec.volumes ?? []).filter((v: Loose) => v.hostPath).map((v: Loose) => v.name);
  if (hostPath.length) out.push(`hostPath volumes (${hostPath.length === 1 ? 'volume' : 'volumes'} ${quoteList(hostPath)})`);
  const ports = cs.filter((c) => (c.ports ?? []).some((p: Loose) => p.hostPort));
  if (ports.length) {
    const used = ports.flatMap((c) => (c.ports as Loose[]).filter((p) => p.hostPort).map((p) => p.hostPort));
    out.push(`hostPort (${containers(ports.map((c) => c.name))} ${used.length === 1 ? 'uses hostPort' : 'use hostPorts'} ${used.join(', ')})`);
  }
  if (psc.windowsOptions?.hostProcess || cs.some((c) => c.securityContext?.windowsOptions?.hostProcess)) out.push('hostProcess (pod or containers must not set securityContext.windowsOptions.hostProcess=true)');
  const priv = cs.filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  if (priv.length) out.push(`privileged (${containers(priv)} must not set securityContext.privileged=true)`);
  const proc = cs.filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default').map((c) => c.name);
  if (proc.length) out.push(`procMount (${containers(proc)} must not set securityContext.procMount to "Unmasked")`);
  const unconfined = psc.seccompProfile?.type === 'Unconfined' ? ['pod'] : [];
  const unconfinedC = cs.filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map((c) => c.name);
  if (unconfined.length || unconfinedC.length) {
    const who = [unconfined.length ? 'pod' : '', unconfinedC.length ? containers(unconfinedC) : ''].filter(Boolean).join(' and ');
    out.push(`seccompProfile (${who} must not set securityContext.seccompProfile.type to "Unconfined")`);
  }
  const sysctls = (psc.sysctls ?? []).map((s: Loose) => s.name).filter((n: string) => !SAFE_SYSCTLS.has(n));
  if (sysctls.length) out.push(`forbidden sysctls (${sysctls.join(', ')})`);
  return out;
}

function restricted(spec: Loose): string[] {
  const out: string[] = [];
  const cs = allContainers(spec);
  const psc: Loose = spec.securityContext ?? {};
  const esc = cs.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (esc.length) out.push(`allowPrivilegeEscalation != false (${containers(esc)} must set securityContext.allowPrivilegeEscalation=false)`);
  const caps = cs.filter((c) => {
    const k: Loose = c.securityContext?.capabilities ?? {};
    return !(k.drop ?? []).includes('ALL') || (k.add ?? []).some((x: string) => x !== 'NET_BIND_SERVICE');
  });
  if (caps.length) out.push(`unrestricted capabilities (${containers(caps.map((c) => c.name))} must set securityContext.capabilities.drop=["ALL"])`);
  const badVolumes = (spec.volumes ?? []).filter((v: Loose) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    return type && !RESTRICTED_VOLUMES.has(type) && type !== 'hostPath';
  });
  if (badVolumes.length) {
    const type = (v: Loose) => Object.keys(v).find((k) => k !== 'name');
    out.push(`restricted volume types (${badVolumes.length === 1 ? 'volume' : 'volumes'} ${quoteList(badVolumes.map((v: Loose) => v.name))} ${badVolumes.length === 1 ? 'uses restricted volume type' : 'use restricted volume types'} ${quoteList([...new Set<string>(badVolumes.map(type))])})`);
  }
  const nonRoot = cs.filter((c) => (c.securityContext?.runAsNonRoot ?? psc.runAsNonRoot) !== true).map((c) => c.name);
  if (nonRoot.length) out.push(`runAsNonRoot != true (pod or ${containers(nonRoot)} must set securityContext.runAsNonRoot=true)`);
  const root = [psc.runAsUser === 0 ? 'pod' : '', ...cs.filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name)].filter(Boolean);
  if (root.length) out.push(`runAsUser=0 (${root[0] === 'pod' ? 'pod' : containers(root)} must not set runAsUser=0)`);
  const okSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const seccomp = cs.filter((c) => !okSeccomp(c.securityContext?.seccompProfile?.type ?? psc.seccompProfile?.type)).map((c) => c.name);
  if (seccomp.length) out.push(`seccompProfile (pod or ${containers(seccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`);
  return out;
}

/** The checks a pod (metadata + spec) violates at a level; empty when it passes. */
export function podSecurityViolations(level: Level, meta: Loose, spec: Loose): string[] {
  if (level === 'privileged') return [];
  const base = baseline(meta, spec);
  return level === 'restricted' ? [...base, ...restricted(spec)] : base;
}
