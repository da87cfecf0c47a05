import type { Clock } from '../shared/clock';
import type { DocumentStore, StoredDocument } from '../shared/document-store';
import { validateDocumentId } from '../shared/document-id';
import { OpenSearchError, illegalArgument } from '../shared/errors';
import { disallowedActions, type AllowList } from './policy/allow-list';
import { findTemplateConflict } from './policy/ism-template';
import { unmappedField } from './policy/mapping';
import type { Policy } from './policy/model';
import { ISM_CONFIG_SCHEMA_VERSION, parsePolicy } from './policy/parse';
import { withTokenLocations } from '../shared/xcontent';

/**
 * Creating and updating ISM policies: OpenSearch's validation, the ism_template overlap rules
 * and optimistic concurrency. Knows nothing of HTTP or Lambda.
 */

export interface PutPolicyResult {
  created: boolean;
  stored: StoredDocument<Policy>;
  /** The policy as the put response echoes it (schema_version from the request body). */
  echoed: Policy;
}

/**
 * The policy uses action types the deployment's allow list leaves out. OpenSearch answers this
 * with a plain-text 403, not its JSON error envelope.
 */
export class ActionsNotAllowedError extends Error {
  readonly status = 403;
  constructor(readonly types: readonly string[]) {
    super(`You have actions that are not allowed in your policy [${types.join(', ')}]`);
    this.name = 'ActionsNotAllowedError';
  }
}

export class PolicyWriter {
  constructor(
    private readonly store: DocumentStore<Policy>,
    private readonly clock: Clock,
    private readonly allowList?: AllowList,
  ) {}

  async put(
    id: string | undefined,
    body: unknown,
    ifSeqNo: number | undefined,
    ifPrimaryTerm: number | undefined,
    /** The body as sent, so that token errors can say where (line/col) they are. */
    rawBody?: string,
  ): Promise<PutPolicyResult> {
    if (!id) throw illegalArgument('Missing policy ID');
    validateDocumentId(id);
    if (body === undefined) throw new OpenSearchError(400, 'parse_exception', 'request body is required');
    const now = this.clock.now();
    const parsed = withTokenLocations(rawBody, body, () => parsePolicy(body, { policyId: id, now }));
    const refused = disallowedActions(parsed, this.allowList);
    if (refused.length > 0) throw new ActionsNotAllowedError(refused);
    const stored: Policy = { ...parsed, schema_version: ISM_CONFIG_SCHEMA_VERSION };

    // The overlap check and the seq_no reservation are independent round trips: run them
    // together. A refused put leaves a gap in the sequence, which only ever grows anyway.
    const [, seqNo] = await Promise.all([this.checkTemplates(id, parsed), this.store.reserveSeqNo()]);
    // What the config index's strict mapping would refuse as the document is indexed.
    const unmapped = unmappedField(parsed);
    if (unmapped) throw unmapped;

    // Only a complete pair makes an update; anything less is create-only, as in the plugin.
    const isUpdate = ifSeqNo !== undefined && ifPrimaryTerm !== undefined;
    const doc = isUpdate
      ? await this.store.update(id, stored, ifSeqNo, ifPrimaryTerm, seqNo)
      : await this.store.create(id, stored, seqNo);
    return { created: !isUpdate, stored: doc, echoed: parsed };
  }

  /** ism_template overlap with other policies at the same priority is refused, as in OpenSearch. */
  private async checkTemplates(id: string, policy: Policy): Promise<void> {
    if (!policy.ism_template || policy.ism_template.length === 0) return;
    const others = (await this.store.list())
      .filter((d) => d.id !== id && d.source.ism_template)
      .map((d) => ({ policyId: d.id, templates: d.source.ism_template ?? [] }));
    const conflict = findTemplateConflict(id, policy.ism_template, others);
    if (conflict) throw conflict;
  }
}
