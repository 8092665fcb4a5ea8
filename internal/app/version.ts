/** kplane's own version. */
export const KPLANE_VERSION = '0.1.0';

/**
 * The Kubernetes API version served. kubectl warns when client and server differ by more than one
 * minor version; 1.30 keeps every kubectl from 1.29 to 1.31 quiet and 1.27–1.33 working.
 */
export const KUBERNETES_VERSION = 'v1.30.0';

export function versionInfo() {
  return {
    major: '1',
    minor: '30',
    gitVersion: `${KUBERNETES_VERSION}+kplane.${KPLANE_VERSION}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsup',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
