import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PresenceView } from '../../local/teams/teams-user-directory.js';
import { AcsEmulatorHarness, callerNumber } from './acs-emulator-harness.js';

const accepting = 'aaaaaaaa-0000-4000-8000-000000000001';
const declining = 'aaaaaaaa-0000-4000-8000-000000000002';
const silent = 'aaaaaaaa-0000-4000-8000-000000000003';
const offline = 'aaaaaaaa-0000-4000-8000-000000000004';
const manual = 'aaaaaaaa-0000-4000-8000-000000000005';
const teamsUser = (userId: string) => ({ microsoftTeamsUserId: userId });

describe('simulated Teams users', () => {
  let h: AcsEmulatorHarness;

  beforeAll(async () => {
    h = await AcsEmulatorHarness.start({
      teamsUsers: [
        { userId: accepting, displayName: 'Accepting Agent', ringBehaviour: { kind: 'accept', afterMs: 5 } },
        { userId: declining, displayName: 'Declining Agent', ringBehaviour: { kind: 'decline', afterMs: 0 } },
        { userId: silent, displayName: 'Silent Agent', ringBehaviour: { kind: 'noAnswer' } },
        { userId: offline, displayName: 'Offline Agent', availability: 'Offline' },
      ],
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('a Teams user who accepts joins the call and shows Busy / InACall until they leave', async () => {
    const presence: PresenceView[] = [];
    const listener = (view: PresenceView) => view.id === accepting && presence.push(view);
    h.teams.on('presenceChanged', listener);
    const { callConnectionId, connection } = await h.connectCall();
    await connection.addParticipant({ targetParticipant: teamsUser(accepting) }, { operationContext: 'offer-1' });
    const succeeded = await h.waitForCallback('AddParticipantSucceeded', (c) => c.data.callConnectionId === callConnectionId);
    expect(succeeded.data).toMatchObject({ operationContext: 'offer-1', participant: { microsoftTeamsUser: { userId: accepting } } });
    expect(h.teams.presenceOf(accepting)).toMatchObject({ availability: 'Busy', activity: 'InACall' });

    expect(h.emulator.teamsUserHangUp(accepting)).toBe(1);
    const updated = await h.waitForCallback(
      'ParticipantsUpdated',
      (c) => c.data.callConnectionId === callConnectionId && (c.data['participants'] as unknown[]).length === 1 && (c.data['sequenceNumber'] as number) > 2,
    );
    expect(JSON.stringify(updated.data['participants'])).not.toContain(accepting);
    h.teams.off('presenceChanged', listener);
    expect(presence.map((p) => p.availability)).toEqual(['Busy', 'Available']);
    expect((await connection.getCallConnectionProperties()).callConnectionState).toBe('connected');
    await connection.hangUp(true);
  });

  it('a Teams user who declines: AddParticipantFailed 603, and they stay Available', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.addParticipant({ targetParticipant: teamsUser(declining) }, { operationContext: 'offer-2' });
    const failed = await h.waitForCallback('AddParticipantFailed', (c) => c.data.callConnectionId === callConnectionId);
    expect(failed.data).toMatchObject({ operationContext: 'offer-2', resultInformation: { code: 603, subCode: 0 }, participant: { rawId: `8:orgid:${declining}` } });
    expect(h.teams.presenceOf(declining)?.availability).toBe('Available');
    await connection.hangUp(true);
  });

  it('a Teams user who never answers: AddParticipantFailed 487 / 10004 once invitationTimeoutInSeconds passes (scaled to 0 here)', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.addParticipant({ targetParticipant: teamsUser(silent) }, { invitationTimeoutInSeconds: 20, operationContext: 'offer-3' });
    const failed = await h.waitForCallback('AddParticipantFailed', (c) => c.data.callConnectionId === callConnectionId);
    expect(failed.data).toMatchObject({ operationContext: 'offer-3', resultInformation: { code: 487, subCode: 10004 } });
    await connection.hangUp(true);
  });

  it('an offline or unknown Teams user cannot be reached: AddParticipantFailed 480', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.addParticipant({ targetParticipant: teamsUser(offline) }, { operationContext: 'offline' });
    await connection.addParticipant({ targetParticipant: teamsUser('not-in-the-directory') }, { operationContext: 'unknown' });
    const failures = await h.waitFor(() => {
      const found = h.callbacksOf(callConnectionId).filter((c) => c.type === 'AddParticipantFailed');
      return found.length === 2 ? found : undefined;
    });
    expect(failures.map((f) => [f.data.operationContext, (f.data['resultInformation'] as { code: number }).code])).toEqual([
      ['offline', 480],
      ['unknown', 480],
    ]);
    await connection.hangUp(true);
  });

  it('transfers the caller to a Teams user who accepts: CallTransferAccepted, then the app is disconnected and the two talk on', async () => {
    const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
    await connection.transferCallToParticipant(teamsUser(accepting), { operationContext: 'transfer' });
    const accepted = await h.waitForCallback('CallTransferAccepted', (c) => c.data.callConnectionId === callConnectionId);
    expect(accepted.data).toMatchObject({
      operationContext: 'transfer',
      transferTarget: { rawId: `8:orgid:${accepting}` },
      transferee: { rawId: `4:${callerNumber}` },
    });
    const disconnected = await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    expect(disconnected.data['resultInformation']).toMatchObject({ subCode: 7015 });
    expect(h.emulator.getConversation(simulatedCallId)?.state).toBe('connected');
    expect(h.teams.presenceOf(accepting)?.activity).toBe('InACall');
    h.emulator.hangUp(simulatedCallId);
    expect(h.teams.presenceOf(accepting)?.availability).toBe('Available');
  });

  it('a transfer the Teams user declines fails with CallTransferFailed and the app keeps the call', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.transferCallToParticipant(teamsUser(declining), { operationContext: 'transfer-2' });
    const failed = await h.waitForCallback('CallTransferFailed', (c) => c.data.callConnectionId === callConnectionId);
    expect(failed.data).toMatchObject({ operationContext: 'transfer-2', resultInformation: { code: 603 } });
    expect((await connection.getCallConnectionProperties()).callConnectionState).toBe('connected');
    await connection.hangUp(true);
  });

  it('cancels a ringing invitation: CancelAddParticipantSucceeded, and the user stops ringing', async () => {
    const slow = await AcsEmulatorHarness.start({
      timing: { invitationTimeoutScale: 1 },
      teamsUsers: [{ userId: manual, displayName: 'Manual Agent', ringBehaviour: { kind: 'noAnswer' } }],
    });
    try {
      const { callConnectionId, connection } = await slow.connectCall();
      const added = await connection.addParticipant({ targetParticipant: teamsUser(manual) }, { invitationTimeoutInSeconds: 60 });
      expect(slow.emulator.listInvitations(manual)).toEqual([expect.objectContaining({ invitationId: added.invitationId, state: 'ringing', callers: [callerNumber] })]);
      await connection.cancelAddParticipantOperation(added.invitationId!, { operationContext: 'cancel' });
      const canceled = await slow.waitForCallback('CancelAddParticipantSucceeded', (c) => c.data.callConnectionId === callConnectionId);
      expect(canceled.data).toMatchObject({ invitationId: added.invitationId, operationContext: 'cancel' });
      expect(slow.emulator.listInvitations(manual)).toEqual([]);
      await connection.cancelAddParticipantOperation(added.invitationId!, { operationContext: 'again' });
      const refused = await slow.waitForCallback('CancelAddParticipantFailed', (c) => c.data.callConnectionId === callConnectionId);
      expect(refused.data.operationContext).toBe('again');
      await connection.hangUp(true);
    } finally {
      await slow.close();
    }
  });

  it('a person answers an invitation by hand, in process or over the simulator HTTP API', async () => {
    const slow = await AcsEmulatorHarness.start({
      timing: { invitationTimeoutScale: 1 },
      teamsUsers: [{ userId: manual, displayName: 'Manual Agent', ringBehaviour: { kind: 'noAnswer' } }],
    });
    try {
      const first = await slow.connectCall();
      await first.connection.addParticipant({ targetParticipant: teamsUser(manual) }, { operationContext: 'by-hand' });
      const ringing = await slow.emulator.waitForInvitation(manual);
      expect(ringing).toMatchObject({ userId: manual, purpose: 'addParticipant', callers: [callerNumber] });
      slow.emulator.acceptInvitation(manual);
      await slow.waitForCallback('AddParticipantSucceeded', (c) => c.data.callConnectionId === first.callConnectionId);
      slow.emulator.teamsUserHangUp(manual);

      const second = await slow.connectCall({ from: '+14255550100' });
      await second.connection.addParticipant({ targetParticipant: teamsUser(manual) }, { operationContext: 'over-http' });
      const invitations = (await (await fetch(`${slow.emulator.simulatorUrl}/teams-users/${manual}/invitations?wait=true`)).json()) as { value: { invitationId: string }[] };
      expect(invitations.value).toHaveLength(1);
      const declined = await fetch(`${slow.emulator.simulatorUrl}/teams-users/${manual}/decline`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ invitationId: invitations.value[0]!.invitationId }),
      });
      expect(declined.status).toBe(200);
      await slow.waitForCallback('AddParticipantFailed', (c) => c.data.callConnectionId === second.callConnectionId);
      const nothing = await fetch(`${slow.emulator.simulatorUrl}/teams-users/${manual}/accept`, { method: 'POST' });
      expect(nothing.status).toBe(404);
      await second.connection.hangUp(true);
    } finally {
      await slow.close();
    }
  });

  it('manages the simulated Teams users over the simulator HTTP API', async () => {
    const put = await fetch(`${h.emulator.simulatorUrl}/teams-users/new-agent`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'New Agent', availability: 'Away', ringBehaviour: { kind: 'decline', afterMs: 0 } }),
    });
    expect(await put.json()).toMatchObject({ userId: 'new-agent', availability: 'Away', ringBehaviour: { kind: 'decline' } });
    expect(h.teams.presenceOf('new-agent')?.availability).toBe('Away');
    const list = (await (await fetch(`${h.emulator.simulatorUrl}/teams-users`)).json()) as { value: { userId: string }[] };
    expect(list.value.map((u) => u.userId)).toContain('new-agent');
  });

  it('an outbound call to a Teams user who declines ends with CreateCallFailed', async () => {
    const created = await h.client.createCall({ targetParticipant: teamsUser(declining) }, h.callbackUrl, { operationContext: 'call-agent' });
    const id = created.callConnectionProperties.callConnectionId!;
    const failed = await h.waitForCallback('CreateCallFailed', (c) => c.data.callConnectionId === id);
    expect(failed.data).toMatchObject({ operationContext: 'call-agent', resultInformation: { code: 603 } });
    expect((await restErrorStatus(() => created.callConnection.getCallConnectionProperties()))).toBe(404);
  });
});

async function restErrorStatus(call: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return (error as { statusCode?: number }).statusCode;
  }
}
