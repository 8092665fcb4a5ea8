import type { ResourceDefinition } from '../../definition.js';
import { containerCells, defineBuiltin } from '../shared/define.js';
import { get } from '../shared/object.js';
import { defaultPodTemplateAt } from '../shared/pod-spec-defaults.js';
import { validatePodTemplate } from '../shared/pod-spec-validation.js';
import { formatLabels } from '../shared/selectors.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

export const podTemplateStrategy = defineStrategy({
  namespaced: true,
  defaults: (pt) => defaultPodTemplateAt(pt, 'template'),
  validate: (pt) => validatePodTemplate(pt.template, 'template'),
});

export function podTemplateDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'podtemplates'), {
    strategy: podTemplateStrategy,
    cells: {
      ...containerCells((pt) => pt.template),
      'Pod Labels': (pt) => formatLabels(get(pt, 'template', 'metadata', 'labels')),
    },
  });
}
