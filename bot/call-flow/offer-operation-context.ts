/**
 * The operationContext of an agent invitation (addParticipant) names the offer and the agent, so
 * the call flow can tell routing which offer an AddParticipantSucceeded / Failed belongs to.
 */
const prefix = 'offer|';

export function offerOperationContext(offerId: string, agentId: string): string {
  return `${prefix}${encodeURIComponent(offerId)}|${encodeURIComponent(agentId)}`;
}

export function parseOfferOperationContext(operationContext: string | undefined): { offerId: string; agentId: string } | undefined {
  if (!operationContext?.startsWith(prefix)) return undefined;
  const [offerId, agentId] = operationContext.slice(prefix.length).split('|');
  if (!offerId || !agentId) return undefined;
  return { offerId: decodeURIComponent(offerId), agentId: decodeURIComponent(agentId) };
}
