import { Command } from '@oclif/core';
import { KPLANE_VERSION, KUBERNETES_VERSION } from '../internal/app/index.js';

export default class Version extends Command {
  static override description = 'Print the kplane version and the Kubernetes API version it serves.';

  async run(): Promise<void> {
    this.log(`kplane ${KPLANE_VERSION} (Kubernetes API ${KUBERNETES_VERSION}, Node ${process.version})`);
  }
}
