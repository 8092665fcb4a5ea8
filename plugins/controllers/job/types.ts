import type { KubeObject, LabelSelector } from '../../../internal/api/index.js';
import type { Condition } from '../workloads/conditions.js';
import type { PodTemplate } from '../workloads/template.js';

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex' | string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | string; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface Job extends KubeObject {
  spec: {
    parallelism?: number;
    completions?: number;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    completionMode?: string;
    suspend?: boolean;
    selector?: LabelSelector;
    template?: PodTemplate;
    podFailurePolicy?: { rules?: PodFailurePolicyRule[] };
  };
  status?: JobStatus;
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

/** Pods of a tracked Job carry it until the Job counted them (finalizer-based tracking). */
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
