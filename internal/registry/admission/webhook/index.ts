// Admission webhooks (admissionregistration.k8s.io/v1): MutatingWebhookConfiguration webhooks run
// in the mutating phase and may patch the object (JSONPatch); ValidatingWebhookConfiguration
// webhooks run in the validating phase. Each is called over HTTPS with an admission.k8s.io/v1
// AdmissionReview when its rules and selectors match; failurePolicy decides what a failed call means.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission.js';
import { invalidError } from '../../store/errors.js';
import type { Loose } from '../lookup.js';
import { AuthzSession, authorizerValue, type AuthzCheck, type AuthzDecision, type CelValue } from '../../../cel/index.js';
import { admissionActivation, compileCached, MATCH_CONDITION_VARS } from '../policy/activation.js';
import { postReview, resolveTarget } from './call.js';
import { asVersion, matchWithPolicy, mergeBack, type Equivalents } from '../equivalent.js';
import type { ResourceDefinition } from '../../definition.js';
import { webhookMatches, webhooksOf, type Webhook } from './match.js';
import { admissionReview, applyPatchInPlace, callFailedError, deniedError, readReview } from './review.js';

export { webhookMatches, ruleMatches, webhooksOf, type Webhook, type WebhookRule } from './match.js';
export { admissionReview, readReview, deniedError } from './review.js';

export interface WebhookDeps {
  /** The current configurations (from the watch cache). */
  configurations(kind: 'mutating' | 'validating'): Promise<KubeObject[]>;
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** A Service and its Endpoints, for clientConfig.service. */
  endpointsOf(namespace: string, name: string): Promise<{ service?: Loose; endpoints?: Loose }>;
  /** Calls that failed under failurePolicy Ignore are logged here. */
  log?(msg: string, fields: Record<string, unknown>): void;
  /** Other served versions of a resource, for matchPolicy Equivalent (absent: Exact only). */
  equivalents?: Equivalents;
  /** Answers the `authorizer` variable's checks in matchConditions (absent: every check is an error). */
  authorize?: (c: AuthzCheck) => Promise<AuthzDecision>;
}

/** A webhook to call and the version of the resource its rules matched (the request's own, or an equivalent one). */
interface Matched {
  hook: Webhook;
  version: ResourceDefinition;
}

/** Upstream's cost budget for one webhook's matchConditions together. */
const MATCH_CONDITIONS_BUDGET = 2_500_000;

/** What a webhook may do to a dry run: only webhooks without side effects are called (else 400). */
const DRY_RUN_SAFE = new Set(['None', 'NoneOnDryRun']);

/** One webhook call: a denial throws, a failed call throws or is ignored by failurePolicy; a mutation patches attrs.object. Resolves true when the object changed. */
async function callWebhook(w: Webhook, a: AdmissionAttributes, mutating: boolean, deps: WebhookDeps): Promise<boolean> {
  if (a.dryRun && !DRY_RUN_SAFE.has(w.sideEffects ?? '')) {
    throw deniedError(w.name, { code: 400, reason: 'BadRequest', message: `admission webhook ${JSON.stringify(w.name)} does not support dry run` });
  }
  const uid = randomUUID();
  let outcome;
  try {
    const target = await resolveTarget(w, deps.endpointsOf);
    outcome = readReview(await postReview(target, w.clientConfig.caBundle, w.timeoutSeconds ?? 10, admissionReview(a, uid)), uid, mutating);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (w.failurePolicy === 'Ignore') {
      deps.log?.('admission webhook failed; ignored (failurePolicy Ignore)', { webhook: w.name, err: why });
      return false;
    }
    throw callFailedError(w.name, why);
  }
  (a.warnings ??= []).push(...outcome.warnings);
  if (!outcome.allowed) throw deniedError(w.name, outcome.status);
  if (outcome.patch === undefined || !a.object) return false;
  const before = JSON.stringify(a.object);
  try {
    applyPatchInPlace(a.object, outcome.patch);
  } catch (err) {
    throw callFailedError(w.name, `JSON patch failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (JSON.stringify(a.object) === before) return false;
  // Upstream validates after mutating admission; here the strategy validated before it, so again.
  const ctx = { user: a.user, namespace: a.namespace, now: Date.now(), dryRun: a.dryRun };
  const strategy = a.definition.strategy;
  const errs = a.oldObject ? strategy.validateUpdate(a.object, a.oldObject, ctx) : strategy.validate(a.object, ctx);
  if (errs.length) throw invalidError(a.definition, a.object.metadata.name ?? a.name, errs);
  return true;
}

async function matching(a: AdmissionAttributes, kind: 'mutating' | 'validating', deps: WebhookDeps): Promise<Matched[]> {
  const hooks = webhooksOf(await deps.configurations(kind));
  if (hooks.length === 0) return [];
  const ns = a.namespace && a.definition.namespaced ? await deps.getNamespace(a.namespace) : undefined;
  const labels = (ns?.metadata.labels ?? {}) as Record<string, string>;
  const out: Matched[] = [];
  const session = new AuthzSession({ name: a.user.name, groups: a.user.groups ?? [] });
  for (const hook of hooks) {
    const seen = matchWithPolicy(a, hook.matchPolicy, deps.equivalents, (x) => webhookMatches(hook, x, labels));
    if (!seen) continue;
    const vars = () => ({ ...admissionActivation(seen, ns), authorizer: authorizerValue(session, { group: seen.definition.group, resource: seen.definition.plural, subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name }) });
    if (!hook.matchConditions?.length || (await conditionsHold(hook, vars(), session, deps))) out.push({ hook, version: seen.definition });
  }
  return out;
}

/** Calls a webhook with the request in the version its rules matched; a mutation is written back to the request's object. */
async function callMatched(m: Matched, a: AdmissionAttributes, mutating: boolean, deps: WebhookDeps): Promise<boolean> {
  if (m.version === a.definition) return callWebhook(m.hook, a, mutating, deps);
  const view = asVersion(a, m.version);
  const changed = await callWebhook(m.hook, view, mutating, deps);
  if (changed) mergeBack(a, view);
  return changed;
}

/**
 * A webhook's matchConditions (CEL over object, oldObject, request, authorizer): all true → it is
 * called; one false → it is skipped; one that fails to compile or evaluate → failurePolicy decides
 * (Fail refuses the request, Ignore skips the webhook). Authorizer checks are answered between
 * runs, as for ValidatingAdmissionPolicy.
 */
async function conditionsHold(w: Webhook, vars: Record<string, CelValue>, session: AuthzSession, deps: WebhookDeps): Promise<boolean> {
  for (let round = 0; ; round++) {
    const r = evaluateConditions(w, vars);
    if (session.pending.size === 0 || round >= 32) {
      if (r === true || r === false) return r;
      if (w.failurePolicy === 'Ignore') {
        deps.log?.('admission webhook match condition failed; ignored (failurePolicy Ignore)', { webhook: w.name, err: r.error });
        return false;
      }
      throw callFailedError(w.name, r.error);
    }
    await session.resolve(deps.authorize ?? (async () => ({ allowed: false, error: 'no authorizer' })));
  }
}

function evaluateConditions(w: Webhook, vars: Record<string, CelValue>): boolean | { error: string } {
  const budget = { used: 0, limit: MATCH_CONDITIONS_BUDGET };
  for (const m of w.matchConditions ?? []) {
    const c = compileCached(m.expression, MATCH_CONDITION_VARS);
    const r = 'error' in c ? { error: `compilation failed: ${c.error}` } : c.program.eval(vars, budget);
    if ('error' in r) return { error: `failed to evaluate match condition ${JSON.stringify(m.name)}: ${r.error}` };
    if (r.value !== true) return false;
  }
  return true;
}

/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins as one. Mutating webhooks are
 * called in order; when a later one changed the object, the earlier ones with reinvocationPolicy
 * IfNeeded are called once more (upstream's reinvocation). Validating webhooks are called in parallel.
 */
export function webhookAdmission(deps: WebhookDeps): AdmissionPlugin {
  return {
    name: 'Webhooks',
    async admit(a) {
      const hooks = await matching(a, 'mutating', deps);
      let lastChange = -1;
      for (const [i, m] of hooks.entries()) if (await callMatched(m, a, true, deps)) lastChange = i;
      for (const [i, m] of hooks.entries()) if (i < lastChange && m.hook.reinvocationPolicy === 'IfNeeded') await callMatched(m, a, true, deps);
    },
    async validate(a) {
      const hooks = await matching(a, 'validating', deps);
      await Promise.all(hooks.map((m) => callMatched(m, a, false, deps)));
    },
  };
}
