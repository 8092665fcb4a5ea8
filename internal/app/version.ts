/** kplane's own version. */
export const KPLANE_VERSION = '0.1.0';

/**
 * The Kubernetes API version served: the release of the vendored schemas (third_party/kubernetes).
 * kubectl warns when client and server differ by more than one minor version, so 1.32–1.34 are
 * quiet; older kubectl keeps working (it only warns).
 */
export const KUBERNETES_VERSION = 'v1.33.13';

export function versionInfo() {
  return {
    major: '1',
    minor: '33',
    gitVersion: `${KUBERNETES_VERSION}+kplane.${KPLANE_VERSION}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsup',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
