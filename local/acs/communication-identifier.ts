/**
 * Communication identifiers as Call Automation puts them on the wire (`CommunicationIdentifierModel`)
 * and the emulator's canonical form. Raw ids follow the Communication Services formats:
 * `4:+14255550100` (phone), `8:orgid:<entra object id>` (Teams user), `8:acs:...` (ACS user),
 * `28:orgid:<app id>` (Teams app).
 */

export interface IdentifierModel {
  kind?: string;
  rawId?: string;
  communicationUser?: { id: string };
  phoneNumber?: { value: string; isAnonymous?: boolean; assertedId?: string };
  microsoftTeamsUser?: { userId: string; isAnonymous?: boolean; cloud?: string };
  microsoftTeamsApp?: { appId: string; cloud?: string };
}

export type CommunicationIdentifier =
  | { readonly kind: 'phoneNumber'; readonly phoneNumber: string }
  | { readonly kind: 'microsoftTeamsUser'; readonly userId: string }
  | { readonly kind: 'communicationUser'; readonly id: string }
  | { readonly kind: 'microsoftTeamsApp'; readonly appId: string }
  | { readonly kind: 'unknown'; readonly rawId: string };

export function phoneIdentifier(phoneNumber: string): CommunicationIdentifier {
  return { kind: 'phoneNumber', phoneNumber };
}

export function teamsUserIdentifier(userId: string): CommunicationIdentifier {
  return { kind: 'microsoftTeamsUser', userId };
}

export function rawIdOf(identifier: CommunicationIdentifier): string {
  switch (identifier.kind) {
    case 'phoneNumber':
      return `4:${identifier.phoneNumber}`;
    case 'microsoftTeamsUser':
      return `8:orgid:${identifier.userId}`;
    case 'communicationUser':
      return identifier.id;
    case 'microsoftTeamsApp':
      return `28:orgid:${identifier.appId}`;
    case 'unknown':
      return identifier.rawId;
  }
}

export function identifierFromRawId(rawId: string): CommunicationIdentifier {
  if (rawId.startsWith('4:')) return phoneIdentifier(rawId.slice(2));
  const teamsUser = /^8:(?:orgid|dod|gcch):(.+)$/.exec(rawId);
  if (teamsUser?.[1]) return teamsUserIdentifier(teamsUser[1]);
  const teamsApp = /^28:(?:orgid|dod|gcch):(.+)$/.exec(rawId);
  if (teamsApp?.[1]) return { kind: 'microsoftTeamsApp', appId: teamsApp[1] };
  if (/^8:(?:acs|spool|gcch-acs|dod-acs):/.test(rawId)) return { kind: 'communicationUser', id: rawId };
  return { kind: 'unknown', rawId };
}

/** The typed member wins over `rawId`, as the SDK's own converter does. */
export function identifierFromModel(model: IdentifierModel): CommunicationIdentifier {
  if (model.phoneNumber) return phoneIdentifier(model.phoneNumber.value);
  if (model.microsoftTeamsUser) return teamsUserIdentifier(model.microsoftTeamsUser.userId);
  if (model.communicationUser) return { kind: 'communicationUser', id: model.communicationUser.id };
  if (model.microsoftTeamsApp) return { kind: 'microsoftTeamsApp', appId: model.microsoftTeamsApp.appId };
  return identifierFromRawId(model.rawId ?? '');
}

export function toIdentifierModel(identifier: CommunicationIdentifier): IdentifierModel {
  const rawId = rawIdOf(identifier);
  switch (identifier.kind) {
    case 'phoneNumber':
      return { rawId, kind: 'phoneNumber', phoneNumber: { value: identifier.phoneNumber } };
    case 'microsoftTeamsUser':
      return { rawId, kind: 'microsoftTeamsUser', microsoftTeamsUser: { userId: identifier.userId, cloud: 'public' } };
    case 'communicationUser':
      return { rawId, kind: 'communicationUser', communicationUser: { id: identifier.id } };
    case 'microsoftTeamsApp':
      return { rawId, kind: 'microsoftTeamsApp', microsoftTeamsApp: { appId: identifier.appId, cloud: 'public' } };
    case 'unknown':
      return { rawId, kind: 'unknown' };
  }
}

export function sameIdentifier(a: CommunicationIdentifier, b: CommunicationIdentifier): boolean {
  return rawIdOf(a) === rawIdOf(b);
}

/** How a person shows up in logs and the simulator: the phone number or the Teams user id. */
export function describeIdentifier(identifier: CommunicationIdentifier): string {
  return identifier.kind === 'phoneNumber' ? identifier.phoneNumber : rawIdOf(identifier);
}
